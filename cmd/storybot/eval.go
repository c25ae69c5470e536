package main

// storybot eval scores the answers to a question set.
//
// A question set is a JSON Lines file, one question an object:
//
//	{"id": "d01", "q": "When did ...?", "expect": ["Wednesday", "February 12"]}
//	{"id": "d23", "q": "What is ...?", "unanswerable": true}
//
// A line may instead hold a conversation, its turns asked in order by one
// person, each judged like a question:
//
//	{"id": "c01", "turns": [{"q": "who is bogdanov", "expect": ["..."]}, {"q": "what did he say?", "expect": ["..."]}]}
//
// Turns are asked through the bot's Service, one user a conversation, so
// they are followed up exactly as in the chats; the scores are printed for
// every question and turn, and again for the turns after the first.
//
// expect holds regular expressions, matched without regard to case against
// the text of a quoted answer. Other fields (the squad set's "article") are
// ignored: every question is asked of the whole corpus. Blank lines are
// skipped.
//
// With A the answerable questions, U the unanswerable ones, and rank(q) the
// 1-based position of the first of q's answers that an expect pattern
// matches (only the first five answers count; none matching: rank = ∞):
//
//	hit@1            = |{q ∈ A : rank(q) = 1}| / |A|
//	hit@3            = |{q ∈ A : rank(q) ≤ 3}| / |A|
//	MRR@5            = Σ_{q ∈ A} 1/rank(q) / |A|      (1/∞ = 0)
//	refusal accuracy = |{q ∈ U : q gets no answer}| / |U|
//	false refusals   = |{q ∈ A : q gets no answer}|, and that over |A|
//
// A ratio over an empty set is not defined: the table prints "-" and the
// JSON null.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/storybot/storybot/bot"
	"github.com/storybot/storybot/qa/evalset"
)

// rankDepth is how many answers count: MRR@5.
const rankDepth = 5

// evalRun is a question and the texts of its answers, best first.
type evalRun struct {
	c       *evalset.Question
	answers []string
}

// evalMiss is a question the first answer got wrong.
type evalMiss struct {
	ID           string   `json:"id"`
	Where        string   `json:"where"`
	Question     string   `json:"question"`
	Expect       []string `json:"expect,omitempty"`
	Unanswerable bool     `json:"unanswerable,omitempty"`
	Answer       string   `json:"answer"`         // the first answer; "" when declined
	Declined     bool     `json:"declined"`       // no answer given
	Rank         int      `json:"rank,omitempty"` // of a right answer below the first
}

// evalScore is the tally of a scored question set.
type evalScore struct {
	Questions     int
	Answerable    int
	Unanswerable  int
	Hits1, Hits3  int
	RRSum         float64 // Σ 1/rank over the answerable questions
	Refused       int     // unanswerable questions declined
	FalseRefusals int     // answerable questions declined
	Misses        []evalMiss
}

// scoreRuns tallies runs. It is pure: all the asking is done before.
func scoreRuns(runs []evalRun) evalScore {
	var s evalScore
	for _, r := range runs {
		s.Questions++
		c := r.c
		miss := evalMiss{ID: c.ID, Where: c.Where, Question: c.Q, Expect: c.Expect,
			Unanswerable: c.Unanswerable, Declined: len(r.answers) == 0}
		if len(r.answers) > 0 {
			miss.Answer = r.answers[0]
		}
		if c.Unanswerable {
			s.Unanswerable++
			if len(r.answers) == 0 {
				s.Refused++
			} else {
				s.Misses = append(s.Misses, miss)
			}
			continue
		}
		s.Answerable++
		if len(r.answers) == 0 {
			s.FalseRefusals++
		}
		rank := c.Rank(r.answers[:min(len(r.answers), rankDepth)])
		if rank > 0 {
			s.RRSum += 1 / float64(rank)
		}
		if rank == 1 {
			s.Hits1++
		} else {
			miss.Rank = rank
			s.Misses = append(s.Misses, miss)
		}
		if rank >= 1 && rank <= 3 {
			s.Hits3++
		}
	}
	return s
}

// evalRatio returns n/d, or nil when d is 0.
func evalRatio(n float64, d int) *float64 {
	if d == 0 {
		return nil
	}
	r := n / float64(d)
	return &r
}

// evalSummary is what `storybot eval --json` prints.
type evalSummary struct {
	Files            []string   `json:"files"`
	Questions        int        `json:"questions"`
	Answerable       int        `json:"answerable"`
	Unanswerable     int        `json:"unanswerable"`
	HitAt1           *float64   `json:"hit_at_1"`
	HitsAt1          int        `json:"hits_at_1"`
	HitAt3           *float64   `json:"hit_at_3"`
	HitsAt3          int        `json:"hits_at_3"`
	MRRAt5           *float64   `json:"mrr_at_5"`
	RefusalAccuracy  *float64   `json:"refusal_accuracy"`
	Refused          int        `json:"refused_unanswerable"`
	FalseRefusals    int        `json:"false_refusals"`
	FalseRefusalRate *float64   `json:"false_refusal_rate"`
	Seconds          float64    `json:"seconds"`
	Misses           []evalMiss `json:"misses,omitempty"`
	// LaterTurns scores the turns after the first of each conversation,
	// when the files hold conversations.
	LaterTurns *evalSummary `json:"later_turns,omitempty"`
}

func (s evalScore) summary(files []string, took time.Duration) evalSummary {
	return evalSummary{
		Files:            files,
		Questions:        s.Questions,
		Answerable:       s.Answerable,
		Unanswerable:     s.Unanswerable,
		HitAt1:           evalRatio(float64(s.Hits1), s.Answerable),
		HitsAt1:          s.Hits1,
		HitAt3:           evalRatio(float64(s.Hits3), s.Answerable),
		HitsAt3:          s.Hits3,
		MRRAt5:           evalRatio(s.RRSum, s.Answerable),
		RefusalAccuracy:  evalRatio(float64(s.Refused), s.Unanswerable),
		Refused:          s.Refused,
		FalseRefusals:    s.FalseRefusals,
		FalseRefusalRate: evalRatio(float64(s.FalseRefusals), s.Answerable),
		Seconds:          took.Seconds(),
		Misses:           s.Misses,
	}
}

// cmdEval scores question sets: storybot eval [--corpus DIR] [-v] [--json] FILE.jsonl...
func cmdEval(ctx context.Context, args []string, e env) error {
	fs := newFlags("eval", e)
	corpus := corpusFlag(fs)
	verbose := fs.Bool("v", false, "print each question the first answer got wrong")
	asJSON := fs.Bool("json", false, "print the scores as one JSON object")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `Usage: storybot eval [--corpus DIR] [-v] [--json] FILE.jsonl...

Scores the answers to question sets, one JSON object a line:
  {"id": "d01", "q": "When did ...?", "expect": ["Wednesday", "February 12"]}
  {"id": "d23", "q": "What is ...?", "unanswerable": true}
expect holds case-insensitive regular expressions for the text of a right answer.
Prints hit@1, hit@3, MRR@5, refusal accuracy and false refusals.

`)
		fs.PrintDefaults()
	}
	files, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return fmt.Errorf("%w: eval: no question file", errUsage)
	}
	var cases []*evalset.Question
	for _, f := range files {
		cs, err := evalset.Read(f)
		if err != nil {
			return err
		}
		cases = append(cases, cs...)
	}
	ix, err := openCorpus(*corpus, warnTo(e.stderr))
	if err != nil {
		return err
	}
	start := time.Now()
	// The questions are asked as the bots ask them (a measurement is
	// never flood controlled).
	svc := bot.NewService(ix, localBotConfig(*corpus), nil)
	runs, err := askAll(ctx, svc, cases)
	if err != nil {
		return stdinLoopErr(err)
	}
	took := time.Since(start)
	sum := scoreRuns(runs).summary(files, took)
	var later []evalRun
	for _, r := range runs {
		if r.c.Turn > 1 {
			later = append(later, r)
		}
	}
	if len(later) > 0 {
		l := scoreRuns(later).summary(files, took)
		l.Misses = nil
		sum.LaterTurns = &l
	}
	if !*verbose {
		sum.Misses = nil
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		return enc.Encode(sum)
	}
	for _, m := range sum.Misses {
		writeMiss(e.stdout, m)
	}
	writeEvalTable(e.stdout, sum)
	if sum.LaterTurns != nil {
		fmt.Fprintln(e.stdout)
		writeEvalTable(e.stdout, *sum.LaterTurns, "turns after the first")
	}
	return nil
}

// askAll asks every question through svc, as a script (no flood control,
// every answer), on all CPUs (the Service and the index are safe for
// concurrent use), and keeps the first rankDepth answers of each. The turns
// of a conversation are asked in order, as one conversation.
func askAll(ctx context.Context, svc *bot.Service, cases []*evalset.Question) ([]evalRun, error) {
	runs := make([]evalRun, len(cases))
	// A job is a question, or a conversation's turns: indexes into cases.
	var jobs [][]int
	for i, c := range cases {
		if c.Turn > 1 && len(jobs) > 0 && cases[jobs[len(jobs)-1][0]].Where == c.Where {
			jobs[len(jobs)-1] = append(jobs[len(jobs)-1], i)
			continue
		}
		jobs = append(jobs, []int{i})
	}
	var (
		next    atomic.Int64
		wg      sync.WaitGroup
		errOnce sync.Once
		askErr  error
	)
	for range min(runtime.GOMAXPROCS(0), max(len(jobs), 1)) {
		wg.Go(func() {
			for {
				j := int(next.Add(1)) - 1
				if j >= len(jobs) || ctx.Err() != nil {
					return
				}
				for _, i := range jobs[j] {
					c := cases[i]
					runs[i].c = c
					conv := ""
					if c.Turn > 0 {
						conv = c.Where // a dialog's line: one conversation
					}
					r := svc.Script("eval", bot.ScriptQuestion{Text: c.Q, Conversation: conv})
					if r.Err != nil {
						errOnce.Do(func() { askErr = fmt.Errorf("%s: %w", c.Where, r.Err) })
						return
					}
					answers := r.Answers
					for _, a := range answers[:min(len(answers), rankDepth)] {
						runs[i].answers = append(runs[i].answers, a.Text)
					}
				}
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return runs, askErr
}

// writeMiss prints one miss for -v:
//
//	miss d07 (dev.jsonl:7): Which Russian military bases are in Syria?
//	  expected: Tartus | Hmeimim
//	  answered: “…” (a right answer is 3rd)
func writeMiss(w io.Writer, m evalMiss) {
	fmt.Fprintf(w, "miss %s (%s): %s\n", bot.Clean(m.ID), bot.Clean(m.Where), bot.Clean(m.Question))
	if m.Unanswerable {
		fmt.Fprintf(w, "  expected: (declined)\n")
	} else {
		pats := make([]string, len(m.Expect))
		for i, p := range m.Expect {
			pats[i] = bot.Clean(p)
		}
		fmt.Fprintf(w, "  expected: %s\n", strings.Join(pats, " | "))
	}
	if m.Declined {
		fmt.Fprintf(w, "  answered: (declined)\n")
	} else {
		fmt.Fprintf(w, "  answered: “%s”", bot.Clean(m.Answer))
		if m.Rank > 0 {
			fmt.Fprintf(w, " (a right answer is number %d)", m.Rank)
		}
		fmt.Fprintln(w)
	}
}

// writeEvalTable prints the scores:
//
//	dev.jsonl: 30 questions (24 answerable, 6 unanswerable) in 0.02s
//	hit@1             0.625   15/24
//	hit@3             0.750   18/24
//	MRR@5             0.688
//	refusal accuracy  0.833    5/6
//	false refusals    0.083    2/24
func writeEvalTable(w io.Writer, s evalSummary, label ...string) {
	files := make([]string, len(s.Files))
	for i, f := range s.Files {
		files[i] = bot.Clean(f)
	}
	if len(label) > 0 {
		fmt.Fprintf(w, "%s: %d (%d answerable, %d unanswerable)\n", label[0], s.Questions, s.Answerable, s.Unanswerable)
	} else {
		fmt.Fprintf(w, "%s: %d questions (%d answerable, %d unanswerable) in %.2fs\n",
			strings.Join(files, ", "), s.Questions, s.Answerable, s.Unanswerable, s.Seconds)
	}
	row := func(name string, v *float64, count string) {
		val := "    -"
		if v != nil {
			val = fmt.Sprintf("%.3f", *v)
		}
		fmt.Fprintln(w, strings.TrimRight(fmt.Sprintf("%-17s %s  %s", name, val, count), " "))
	}
	row("hit@1", s.HitAt1, fmt.Sprintf("%5d/%d", s.HitsAt1, s.Answerable))
	row("hit@3", s.HitAt3, fmt.Sprintf("%5d/%d", s.HitsAt3, s.Answerable))
	row("MRR@5", s.MRRAt5, "")
	row("refusal accuracy", s.RefusalAccuracy, fmt.Sprintf("%5d/%d", s.Refused, s.Unanswerable))
	row("false refusals", s.FalseRefusalRate, fmt.Sprintf("%5d/%d", s.FalseRefusals, s.Answerable))
}
