package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/storybot/storybot/qa/evalset"
)

// TestScoreRuns scores a hand-made set whose metrics are worked out below.
func TestScoreRuns(t *testing.T) {
	c := func(id string, unanswerable bool, expect ...string) *evalset.Question {
		line, _ := json.Marshal(map[string]any{"id": id, "q": id + "?", "expect": expect, "unanswerable": unanswerable})
		q, err := evalset.Parse(line, "t.jsonl:1")
		if err != nil {
			t.Fatal(err)
		}
		return q
	}
	runs := []evalRun{
		{c("a1", false, "okafor"), []string{"Miriam Okafor keeps it.", "x"}},  // rank 1
		{c("a2", false, "ferry"), []string{"x", "y", "A ferry strike."}},      // rank 3
		{c("a3", false, "zebra"), []string{"a", "b", "c", "d", "e", "zebra"}}, // rank 6: not counted
		{c("a4", false, "anything"), nil},                                     // declined: false refusal
		{c("a5", false, "second"), []string{"first", "SECOND"}},               // rank 2
		{c("u1", true), nil}, // rightly declined
		{c("u2", true), []string{"An answer to an unanswerable question."}}, // wrongly answered
	}
	s := scoreRuns(runs)
	sum := s.summary([]string{"t.jsonl"}, 0)
	// Answerable a1..a5 (5): ranks 1, 3, none, none, 2.
	//   hit@1 = 1/5, hit@3 = 3/5, MRR@5 = (1 + 1/3 + 1/2)/5 = 11/30.
	// Unanswerable u1, u2 (2): refusal accuracy 1/2. False refusals: a4, 1/5.
	for _, tc := range []struct {
		name string
		got  *float64
		want float64
	}{
		{"hit@1", sum.HitAt1, 0.2},
		{"hit@3", sum.HitAt3, 0.6},
		{"MRR@5", sum.MRRAt5, 11.0 / 30},
		{"refusal accuracy", sum.RefusalAccuracy, 0.5},
		{"false refusal rate", sum.FalseRefusalRate, 0.2},
	} {
		if tc.got == nil || math.Abs(*tc.got-tc.want) > 1e-9 {
			t.Errorf("%s = %v, want %v", tc.name, deref(tc.got), tc.want)
		}
	}
	if sum.Questions != 7 || sum.Answerable != 5 || sum.Unanswerable != 2 || sum.HitsAt1 != 1 ||
		sum.HitsAt3 != 3 || sum.Refused != 1 || sum.FalseRefusals != 1 {
		t.Errorf("counts = %+v", sum)
	}
	var missed []string
	for _, m := range s.Misses {
		missed = append(missed, m.ID)
	}
	if got, want := strings.Join(missed, " "), "a2 a3 a4 a5 u2"; got != want {
		t.Errorf("misses = %s, want %s", got, want)
	}
	if m := s.Misses[0]; m.Answer != "x" || m.Rank != 3 || m.Declined {
		t.Errorf("miss a2 = %+v, want first answer x and the right one at 3", m)
	}
	if m := s.Misses[2]; !m.Declined || m.Answer != "" {
		t.Errorf("miss a4 = %+v, want declined", m)
	}
}

func TestScoreRunsEmptySets(t *testing.T) {
	sum := scoreRuns(nil).summary(nil, 0)
	if sum.HitAt1 != nil || sum.MRRAt5 != nil || sum.RefusalAccuracy != nil || sum.FalseRefusalRate != nil {
		t.Errorf("ratios over no questions = %+v, want nil", sum)
	}
	b, _ := json.Marshal(sum)
	if !strings.Contains(string(b), `"hit_at_1":null`) {
		t.Errorf("JSON = %s, want null ratios", b)
	}
}

func deref(f *float64) any {
	if f == nil {
		return nil
	}
	return *f
}

// writeQuestions writes a question set and returns its path.
func writeQuestions(t testing.TB, lines ...string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "questions.jsonl")
	if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// evalSet is four questions over cliCorpus: two with one obvious right
// answer, one whose pattern nothing matches, one the articles do not cover.
var evalSet = []string{
	`{"id":"a1","q":"` + qKeeper + `","expect":["okafor"]}`,
	``,
	`{"id":"a2","q":"Why was the island marathon postponed?","expect":["ferry strike"],"article":"ignored"}`,
	`{"id":"a3","q":"` + qTrees + `","expect":["zebra"]}`,
	`{"id":"u1","q":"` + qBitcoin + `","unanswerable":true}`,
}

func TestEvalJSON(t *testing.T) {
	code, out, errOut := cliRun(t, "", "eval", "--corpus", cliCorpus(t), "--json", writeQuestions(t, evalSet...))
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	var sum evalSummary
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if sum.Questions != 4 || sum.Answerable != 3 || sum.Unanswerable != 1 ||
		sum.HitsAt1 != 2 || sum.HitsAt3 != 2 || sum.Refused != 1 || sum.FalseRefusals != 0 ||
		math.Abs(deref(sum.MRRAt5).(float64)-2.0/3) > 1e-9 || sum.Misses != nil {
		t.Errorf("summary = %s", out)
	}
}

func TestEvalTableVerbose(t *testing.T) {
	qs := writeQuestions(t, evalSet...)
	code, out, errOut := cliRun(t, "", "eval", qs, "-v", "--corpus", cliCorpus(t))
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	for _, want := range []string{
		"miss a3 (" + qs + ":4): " + qTrees + "\n  expected: zebra\n  answered: “Its owner, Tomasz Wierzbicki",
		qs + ": 4 questions (3 answerable, 1 unanswerable)",
		"hit@1             0.667      2/3\n",
		"hit@3             0.667      2/3\n",
		"MRR@5             0.667\n",
		"refusal accuracy  1.000      1/1\n",
		"false refusals    0.000      0/3\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Count(out, "miss ") != 1 {
		t.Errorf("want exactly one miss listed:\n%s", out)
	}
}

func TestEvalFileErrors(t *testing.T) {
	good := `{"id":"a","q":"x?","expect":["x"]}`
	for _, tc := range []struct {
		lines []string
		want  string // after the file name
	}{
		{[]string{good, `{"id": "b", "q": `}, ":2: not a JSON question: "},
		{[]string{good, "", `not json`}, ":3: not a JSON question: "},
		{[]string{`{"id":"a","expect":["x"]}`}, `:1: no question ("q")`},
		{[]string{`{"id":"a","q":"x?"}`}, `:1: neither "expect" nor "unanswerable"`},
		{[]string{`{"id":"a","q":"x?","expect":["x"],"unanswerable":true}`}, `:1: both "expect" and "unanswerable"`},
		{[]string{good, `{"id":"a","q":"x?","expect":["(unclosed"]}`}, `:2: expect "(unclosed": `},
	} {
		qs := writeQuestions(t, tc.lines...)
		code, out, errOut := cliRun(t, "", "eval", "--corpus", cliCorpus(t), qs)
		if code != 1 || out != "" || !strings.HasPrefix(errOut, "storybot: "+qs+tc.want) || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%q: exit %d, stderr %q; want 1 and %q", tc.lines, code, errOut, qs+tc.want)
		}
	}
	if code, _, errOut := cliRun(t, "", "eval", filepath.Join(t.TempDir(), "none.jsonl")); code != 1 || !strings.Contains(errOut, "none.jsonl") {
		t.Errorf("missing file: exit %d, stderr %q", code, errOut)
	}
	if code, _, _ := cliRun(t, "", "eval"); code != 2 {
		t.Errorf("no file: exit %d, want 2", code)
	}
}

// TestEvalDialogs checks that the turns of a conversation are asked as one
// person's follow-ups, and scored over all turns and the later ones apart.
func TestEvalDialogs(t *testing.T) {
	dialog := `{"id": "c2", "turns": [{"q": "who keeps the Port Alder lighthouse", "expect": ["Miriam Okafor"]}, {"q": "when did she start?", "expect": ["in March"]}]}`
	alone := `{"id": "q", "q": "when did she start?", "expect": ["in March"]}`
	dir := cliCorpus(t)
	run := func(lines ...string) evalSummary {
		t.Helper()
		code, out, errOut := cliRun(t, "", "eval", "--corpus", dir, "--json", writeQuestions(t, lines...))
		if code != 0 || errOut != "" {
			t.Fatalf("exit %d, stderr %q", code, errOut)
		}
		var sum evalSummary
		if err := json.Unmarshal([]byte(out), &sum); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		return sum
	}
	if sum := run(alone); sum.HitsAt1 != 0 {
		t.Fatalf("%q alone was answered right: the test needs a question that leans on the one before", alone)
	}
	sum := run(dialog, alone)
	if sum.Questions != 3 || sum.HitsAt1 != 2 || sum.LaterTurns == nil ||
		sum.LaterTurns.Questions != 1 || sum.LaterTurns.HitsAt1 != 1 {
		t.Errorf("summary %+v, later turns %+v: want the follow-up answered in the conversation only", sum, sum.LaterTurns)
	}
	if sum := run(alone); sum.LaterTurns != nil {
		t.Errorf("a set with no conversation has later turns: %+v", sum.LaterTurns)
	}
}

// TestEvalAsksAsTheBots: eval asks through the bots' Service, so a
// conversation of more turns than a chat's flood burst is answered in
// every turn (a measurement is never flood controlled), and a question too
// long for the bots is declined in eval as it is in the chats.
func TestEvalAsksAsTheBots(t *testing.T) {
	burst := DefaultConfig().Bot.FloodBurst
	var turns []string
	for range burst + 2 {
		turns = append(turns, `{"q": "`+qKeeper+`", "expect": ["okafor"]}`)
	}
	long := strings.Repeat("keeper ", DefaultConfig().Bot.MaxQuestion/len("keeper ")+1) + qKeeper
	code, out, errOut := cliRun(t, "", "eval", "--corpus", cliCorpus(t), "--json", writeQuestions(t,
		`{"id": "c", "turns": [`+strings.Join(turns, ", ")+`]}`,
		`{"id": "long", "q": "`+long+`", "expect": ["okafor"]}`))
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	var sum evalSummary
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if sum.Questions != burst+3 || sum.HitsAt1 != burst+2 || sum.FalseRefusals != 1 {
		t.Errorf("summary %s: want the %d turns answered and the long question declined", out, burst+2)
	}
}
