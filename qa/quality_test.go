package qa

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/storybot/storybot/qa/evalset"
)

// evalDir is the shared question sets, beside the repository.
const evalDir = "../../shared/eval"

type evalScore struct {
	n, hit1, hit3, unans, declined, falseRefusals int
	misses                                        []string
}

// readQuestions reads a question or dialog set, skipping the test when it
// is not there.
func readQuestions(tb testing.TB, path string) []*evalset.Question {
	tb.Helper()
	if _, err := os.Stat(path); err != nil {
		tb.Skipf("question set not available: %v", err)
	}
	qs, err := evalset.Read(path)
	if err != nil {
		tb.Fatal(err)
	}
	return qs
}

// score asks each question of qs alone and tallies the answers.
func score(tb testing.TB, ix *Index, qs []*evalset.Question) evalScore {
	tb.Helper()
	var s evalScore
	for _, q := range qs {
		res, err := ix.Ask(q.Q)
		if err != nil {
			tb.Fatalf("%s: %v", q.ID, err)
		}
		s.add(q, res)
	}
	return s
}

// scoreLaterTurns asks each dialog of the set at path in a conversation of
// its own, as one person would, and scores the turns after the first.
func scoreLaterTurns(tb testing.TB, ix *Index, path string) evalScore {
	tb.Helper()
	var s evalScore
	var c Conversation
	for _, q := range readQuestions(tb, path) {
		if q.Turn <= 1 {
			c = Conversation{}
		}
		res, _, err := ix.AskIn(&c, q.Q)
		if err != nil {
			tb.Fatalf("%s: %v", q.ID, err)
		}
		if q.Turn > 1 {
			s.add(q, res)
		}
	}
	return s
}

// add tallies the answer res to question q.
func (s *evalScore) add(q *evalset.Question, res Result) {
	if q.Unanswerable {
		s.unans++
		if !res.Answered() {
			s.declined++
		} else {
			s.misses = append(s.misses, q.ID+" "+q.Q+" => "+res.Answers[0].Text)
		}
		return
	}
	s.n++
	if !res.Answered() {
		s.falseRefusals++
		s.misses = append(s.misses, q.ID+" "+q.Q+" => (declined)")
		return
	}
	var texts []string
	for _, a := range res.Answers[:min(len(res.Answers), 3)] {
		texts = append(texts, a.Text)
	}
	switch q.Rank(texts) {
	case 1:
		s.hit1++
		s.hit3++
	case 0:
		s.misses = append(s.misses, q.ID+" "+q.Q+" => "+res.Answers[0].Text)
	default:
		s.hit3++
		s.misses = append(s.misses, q.ID+" "+q.Q+" => "+res.Answers[0].Text)
	}
}

// TestQualityDev scores the shared dev set, which trains the weights: its
// first answers are the target (0.93, all 3 unanswerable declined),
// and the floor sits one question under it, as a retrained model moves a
// question either way among sentences that all tell of the topics.
func TestQualityDev(t *testing.T) {
	qs := readQuestions(t, filepath.Join(evalDir, "dev.jsonl"))
	s := score(t, seedIndex(t), qs)
	t.Logf("dev: hit@1 %.3f hit@3 %.3f declined %d/%d false refusals %d",
		float64(s.hit1)/float64(s.n), float64(s.hit3)/float64(s.n), s.declined, s.unans, s.falseRefusals)
	for _, m := range s.misses {
		t.Log("miss:", m)
	}
	if hit1, hit3 := float64(s.hit1)/float64(s.n), float64(s.hit3)/float64(s.n); hit1 < 0.88 || hit3 < 0.97 {
		t.Errorf("dev hit@1 %.3f, hit@3 %.3f; want at least 0.88 and 0.97", hit1, hit3)
	}
	if s.declined != s.unans || s.falseRefusals != 0 {
		t.Errorf("dev: declined %d of %d unanswerable and %d answerable; want all and none", s.declined, s.unans, s.falseRefusals)
	}
}

// TestQualityChat scores the seeds on sets of questions written the way
// people ask in a chat: lower case, typos, words the articles do not use,
// near misses and off-topic questions. All were written blind, from the
// articles alone, by sessions that never saw the code. chat-a to chat-g
// train the ranker's weights (cmd/train), so their floors only catch a
// change that breaks answering; the cross-validated scores are in
// weights.json and the README. chat-g and chat-h were each kept aside for
// a session or two before they trained. chat-i is kept aside: written
// blind for this session, no weight, list or threshold was chosen on it,
// and its scores are the held-out measure.
func TestQualityChat(t *testing.T) {
	for _, tt := range []struct {
		file                  string
		hit1, hit3            float64
		refusal, falseRefusal float64 // at least, at most
	}{
		{"chat-a.jsonl", 0.68, 0.80, 0.3, 0.06},
		{"chat-b.jsonl", 0.68, 0.80, 0.4, 0.05},
		{"chat-c.jsonl", 0.72, 0.78, 0.3, 0.07},
		{"chat-d.jsonl", 0.64, 0.75, 0.22, 0.06},
		{"chat-f.jsonl", 0.67, 0.71, 0.24, 0.05},
		{"chat-e.jsonl", 0.64, 0.72, 0.25, 0.05},
		{"chat-g.jsonl", 0.68, 0.76, 0.40, 0.05}, // held out, it measured 0.714, 0.800, 0.517, 0.036
		{"chat-h.jsonl", 0.76, 0.80, 0.45, 0.05}, // held out, it measured 0.800, 0.850, 0.550, 0.029
		{"chat-i.jsonl", 0.59, 0.68, 0.40, 0.06}, // held out: measured 0.631, 0.723, 0.486, 0.038
	} {
		qs := readQuestions(t, filepath.Join("testdata", tt.file))
		s := score(t, seedIndex(t), qs)
		hit1, hit3 := float64(s.hit1)/float64(s.n), float64(s.hit3)/float64(s.n)
		refusal, fr := float64(s.declined)/float64(max(1, s.unans)), float64(s.falseRefusals)/float64(s.n)
		t.Logf("%s: hit@1 %.3f hit@3 %.3f declined %d/%d false refusals %d/%d",
			tt.file, hit1, hit3, s.declined, s.unans, s.falseRefusals, s.n)
		if hit1 < tt.hit1 || hit3 < tt.hit3 {
			t.Errorf("%s: hit@1 %.3f, hit@3 %.3f; want at least %.2f and %.2f", tt.file, hit1, hit3, tt.hit1, tt.hit3)
		}
		if refusal < tt.refusal || fr > tt.falseRefusal {
			t.Errorf("%s: declined %.3f of the unanswerable, %.3f of the answerable; want at least %.2f and at most %.2f",
				tt.file, refusal, fr, tt.refusal, tt.falseRefusal)
		}
	}
}

// TestQualityDialogs scores the turns after the first of the dialogs on
// the seeds, each dialog asked as one person's conversation. They were
// written blind like the chat sets; dialog-a to dialog-e train the
// weights (dialog-e and dialog-f after a session or two kept aside);
// dialog-g is kept aside.
func TestQualityDialogs(t *testing.T) {
	for _, tt := range []struct {
		file               string
		hit1, falseRefusal float64
	}{
		{"dialog-a.jsonl", 0.55, 0.08},
		{"dialog-b.jsonl", 0.60, 0.15},
		{"dialog-d.jsonl", 0.52, 0.08},
		{"dialog-c.jsonl", 0.62, 0.07},
		{"dialog-e.jsonl", 0.54, 0.08}, // held out, it measured 0.575, false refusals 0.057
		{"dialog-f.jsonl", 0.58, 0.09}, // held out, it measured 0.631, false refusals 0.071
		{"dialog-g.jsonl", 0.58, 0.08}, // held out: measured 0.627, false refusals 0.060
	} {
		s := scoreLaterTurns(t, seedIndex(t), filepath.Join("testdata", tt.file))
		hit1, fr := float64(s.hit1)/float64(s.n), float64(s.falseRefusals)/float64(s.n)
		t.Logf("%s, later turns: hit@1 %.3f declined %d/%d false refusals %d/%d", tt.file, hit1, s.declined, s.unans, s.falseRefusals, s.n)
		if hit1 < tt.hit1 || fr > tt.falseRefusal {
			t.Errorf("%s, later turns: hit@1 %.3f, false refusals %.3f; want at least %.2f and at most %.2f", tt.file, hit1, fr, tt.hit1, tt.falseRefusal)
		}
	}
}

func TestQualitySquad(t *testing.T) {
	qs := readQuestions(t, filepath.Join(evalDir, "squad", "answerable.jsonl"))
	s := score(t, squadIndex(t), qs)
	hit1 := float64(s.hit1) / float64(s.n)
	t.Logf("squad: hit@1 %.3f hit@3 %.3f false refusals %d of %d", hit1, float64(s.hit3)/float64(s.n), s.falseRefusals, s.n)
	if hit1 < 0.75 {
		t.Errorf("SQuAD hit@1 %.3f, want at least 0.75", hit1)
	}
}

// squadIndex indexes the SQuAD articles, skipping the test when they are absent.
func squadIndex(tb testing.TB) *Index {
	tb.Helper()
	arts, err := LoadDir(filepath.Join(evalDir, "squad", "articles"))
	if err != nil {
		tb.Skipf("SQuAD articles not available: %v", err)
	}
	ix, err := NewIndex(arts)
	if err != nil {
		tb.Fatal(err)
	}
	return ix
}
