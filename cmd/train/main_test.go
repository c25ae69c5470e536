package main

import (
	"slices"
	"testing"

	"github.com/storybot/storybot/qa"
	"github.com/storybot/storybot/qa/evalset"
)

// TestDecisionSigns checks that the decision model keeps the sign it is
// held to even where the rows it learns from point the other way.
func TestDecisionSigns(t *testing.T) {
	names := qa.DecisionNames()
	matched := slices.Index(names, "matched")
	unknown := slices.Index(names, "unknown")
	if matched < 0 || unknown < 0 {
		t.Fatalf("decision names %q lack matched or unknown", names)
	}
	// Rows where more matched goes with wrong answers and more unknown
	// words with right ones: what an unconstrained fit would follow.
	var rows []decisionRow
	for i := range 200 {
		d := make([]float64, qa.NumDecision)
		d[0] = 1
		x := float64(i%10) / 10
		d[matched], d[unknown] = x, x
		rows = append(rows, decisionRow{d: d, y: i%10 < 3, weight: 1})
	}
	w := fitDecision(rows, 1e-2)
	if w[matched] < -1e-3 || w[unknown] > 1e-3 {
		t.Errorf("weights: matched %g, unknown %g; want matched ≥ 0 and unknown ≤ 0", w[matched], w[unknown])
	}
}

// TestThresholdBoundsLaterTurns checks that the decline threshold keeps a
// dialog set's false refusals within its bound over the turns after the
// first too, not only over all turns, where many sure first turns could
// hide declining every follow-up.
func TestThresholdBoundsLaterTurns(t *testing.T) {
	sets := []setSpec{{name: "dialogs", weight: 1, decide: true, maxFalseRefusals: 0.05}}
	var all []example
	var held []prediction
	add := func(n, turn int, unans bool, p float64) {
		for range n {
			all = append(all, example{q: &evalset.Question{Turn: turn}, unans: unans, x: [][]float64{{1}}, y: []bool{!unans}})
			right := 1
			if unans {
				right = 0
			}
			held = append(held, prediction{best: p, right: right})
		}
	}
	add(400, 1, false, 0.9) // sure first turns
	add(40, 1, true, 0.3)   // unanswerable: declined above 0.3
	add(20, 2, false, 0.3)  // follow-ups, right, as unsure as those
	threshold, cv := chooseThreshold(all, held, sets)
	if fr := cv["dialogs"]["later_false_refusals"]; fr > 0.05 {
		t.Errorf("threshold %.4f declines %.3f of the later turns, want at most 0.05", threshold, fr)
	}
}
