package qa

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// TestTune prints the dev and SQuAD scores for a grid of ranking
// parameters. It runs only with STORYBOT_TUNE=1; it is how the parameters
// in rank.go were chosen.
func TestTune(t *testing.T) {
	if os.Getenv("STORYBOT_TUNE") == "" {
		t.Skip("set STORYBOT_TUNE=1 to run the parameter search")
	}
	devQ := readQuestions(t, filepath.Join(evalDir, "dev.jsonl"))
	sqQ := readQuestions(t, filepath.Join(evalDir, "squad", "answerable.jsonl"))
	dev := seedIndex(t)
	sq := squadIndex(t)
	type knob struct {
		name string
		p    *float64
		vals []float64
	}
	knobs := []knob{
		{"ctx", &ctxWeight, []float64{0, 0.2, 0.4}},
		{"phrase", &phraseBoost, []float64{0, 0.3, 0.6}},
		{"answer", &answerBoost, []float64{0, 0.4, 0.6, 1}},
		{"covExp", &covExp, []float64{0, 1, 2}},
		{"minCov", &minCoverage, []float64{0.2, 0.25, 0.35}},
		{"syn", &synWeight, []float64{0.3, 0.7}},
		{"inflect", &inflectWeight, []float64{0, 0.3, 0.7}},
		{"para", &paraBoost, []float64{0, 0.25, 1, 2}},
		{"art", &artBoost, []float64{0, 1, 2, 4}},
		{"headline", &headlineWeight, []float64{0.5, 0.85, 1}},
		{"nameUnknown", &nameUnknown, []float64{1, 2, 4}},
	}
	report := func(label string) {
		d := score(t, dev, devQ)
		s := score(t, sq, sqQ)
		t.Logf("%-14s dev hit@1 %.3f hit@3 %.3f dec %d/%d fr %d | squad hit@1 %.3f hit@3 %.3f fr %d",
			label, float64(d.hit1)/float64(d.n), float64(d.hit3)/float64(d.n), d.declined, d.unans, d.falseRefusals,
			float64(s.hit1)/float64(s.n), float64(s.hit3)/float64(s.n), s.falseRefusals)
	}
	report("base")
	for _, k := range knobs {
		old := *k.p
		for _, v := range k.vals {
			*k.p = v
			report(k.name + "=" + strconv.FormatFloat(v, 'g', 3, 64))
		}
		*k.p = old
	}
}
