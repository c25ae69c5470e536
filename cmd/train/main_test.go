package main

import (
	"slices"
	"testing"

	"github.com/storybot/storybot/qa"
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
