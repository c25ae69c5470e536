// Command train learns the ranker's weights (qa/weights.json) from labelled
// question sets, by logistic regression over the features of every
// candidate sentence, and reports cross-validated scores.
//
// Run from the repository root, with ../shared beside it:
//
//	go run ./cmd/train                 # cross-validate, then write qa/weights.json
//	go run ./cmd/train -dry            # cross-validate only
//
// A candidate is labelled 1 when an expect pattern of its question matches
// its text; every candidate of an unanswerable question is labelled 0. The
// model is P(y=1 | x) = σ(w·x), fitted by L-BFGS (gonum) on the weighted
// log loss plus λ/2·|w|² (the bias not penalised). Each set weighs the
// same in all, whatever its size, so SQuAD's thousands of questions do not
// drown the few hundred about the seeds.
//
// A dialog set's turns are asked through qa's AskIn, one conversation a
// dialog, after the answers the current weights gave to the turns before,
// so that a follow-up trains on the question it resolves to. (So the
// figures of two runs differ a little when the weights file between them
// does.)
//
// The decision model's weights whose direction is known beforehand (the
// share matched, the margin, the words the articles never use) are held
// to their sign (decisionSigns).
//
// Cross-validation splits each set into folds by article (SQuAD, CLAP NQ,
// CoQA: no held-out question's article trained the model), by dialog, or,
// for the seed sets, whose questions all share the five articles, by
// question. The decline threshold is the one that scores best on the held-out
// predictions: the weighted mean, over the sets with unanswerable
// questions people ask, of the accuracy (the share of questions whose
// first answer is right, or that are unanswerable and declined), among
// the thresholds that keep each set's false refusals within its bound
// (5% on the seed, chat and dialog sets, over a dialog's turns after the
// first as well as over all, 10% on CLAP NQ: the targets of issues 7 and
// 8), searched in steps of 0.0025. The scores printed are
// held-out scores at that threshold, never training-set scores.
package main

import (
	"flag"
	"fmt"
	"hash/fnv"
	"log"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/optimize"

	"github.com/storybot/storybot/qa"
	"github.com/storybot/storybot/qa/evalset"
	"github.com/storybot/storybot/seeds"
)

// example is one question with its candidates' features and labels.
type example struct {
	q      *evalset.Question
	texts  []string
	set    int
	fold   int
	unans  bool
	f      []qa.Features
	x      [][]float64
	y      []bool
	weight float64
}

type setSpec struct {
	name   string
	corpus string // "" for the embedded seeds
	files  []string
	// weight is the set's share of the loss relative to the others.
	weight float64
	// decide is set when the set trains the decision model and its
	// accuracy counts in choosing the threshold: sets whose unanswerable
	// questions are the kind people ask (SQuAD's were written to trick a
	// reader with the very paragraph that does not answer them).
	decide bool
	// maxFalseRefusals bounds the share of its answerable questions that
	// the chosen threshold may decline.
	maxFalseRefusals float64
}

func main() {
	evalDir := flag.String("eval", "../shared/eval", "the shared question sets")
	out := flag.String("out", "qa/weights.json", "where to write the weights")
	folds := flag.Int("folds", 5, "cross-validation folds")
	l2 := flag.Float64("l2", 1e-2, "L2 penalty λ, per unit of set weight")
	dry := flag.Bool("dry", false, "cross-validate only; write nothing")
	misses := flag.String("misses", "", "list the held-out misses of this `set`")
	baseline := flag.String("bm25", "", "only print how often plain BM25 ranks a right sentence first on these comma-separated question `files` about the seeds (nothing is trained on them)")
	flag.Parse()
	log.SetFlags(0)

	sets := []setSpec{
		// dev, chat-a and chat-b shaped the hand-made lists; chat-c was
		// written blind after them and is reported on its own.
		{"seeds", "", []string{filepath.Join(*evalDir, "dev.jsonl"), "qa/testdata/chat-a.jsonl",
			"qa/testdata/chat-b.jsonl"}, 1, true, 0.05},
		// Written blind from the articles alone, later. chat-e, chat-g,
		// chat-h, dialog-c, dialog-e and dialog-f were each kept aside for
		// a session or two before they joined; the sets kept aside now,
		// chat-i and dialog-g, are not here.
		{"chat", "", []string{"qa/testdata/chat-c.jsonl", "qa/testdata/chat-d.jsonl", "qa/testdata/chat-e.jsonl",
			"qa/testdata/chat-f.jsonl", "qa/testdata/chat-g.jsonl", "qa/testdata/chat-h.jsonl"}, 1, true, 0.05},
		{"dialogs", "", []string{"qa/testdata/dialog-a.jsonl", "qa/testdata/dialog-b.jsonl", "qa/testdata/dialog-c.jsonl",
			"qa/testdata/dialog-d.jsonl", "qa/testdata/dialog-e.jsonl", "qa/testdata/dialog-f.jsonl"}, 1, true, 0.05},
		{"squad", filepath.Join(*evalDir, "squad/articles"), []string{filepath.Join(*evalDir, "squad/answerable.jsonl"),
			filepath.Join(*evalDir, "squad/unanswerable.jsonl")}, 1, false, 1},
		{"clapnq", filepath.Join(*evalDir, "clapnq/articles"), []string{filepath.Join(*evalDir, "clapnq/questions.jsonl")}, 1, true, 0.10},
		{"coqa", filepath.Join(*evalDir, "coqa/articles"), []string{filepath.Join(*evalDir, "coqa/questions.jsonl")}, 0.5, false, 1},
		{"coqa-dialogs", filepath.Join(*evalDir, "coqa/articles"), []string{filepath.Join(*evalDir, "coqa/dialogs.jsonl")}, 0.5, false, 1},
	}
	if *baseline != "" {
		s := setSpec{name: "bm25", files: strings.Split(*baseline, ",")}
		exs, err := collect(0, s, *folds)
		if err != nil {
			log.Fatalf("train: %v", err)
		}
		fmt.Printf("%s: plain BM25 ranks a right sentence first for %.3f of %d answerable questions\n",
			*baseline, bm25First(exs), answerable(exs))
		return
	}
	params := qa.DefaultParams()
	var all []example
	for si, s := range sets {
		ex, err := collect(si, s, *folds)
		if err != nil {
			log.Fatalf("train: %s: %v", s.name, err)
		}
		all = append(all, ex...)
	}

	// Cross-validation, two levels: the ranker's held-out scores for every
	// question, then the decision model's held-out probabilities from them.
	scores := make([][]float64, len(all))
	for k := range *folds {
		w := fitRanker(inFold(all, k, false), *l2)
		for i, e := range all {
			if e.fold == k {
				scores[i] = scoreAll(w, e)
			}
		}
	}
	rows := decisionRows(all, scores, sets)
	held := make([]prediction, len(all))
	for k := range *folds {
		var train []decisionRow
		for _, r := range rows {
			if all[r.ex].fold != k {
				train = append(train, r)
			}
		}
		v := fitDecision(train, *l2)
		for i, e := range all {
			if e.fold == k {
				held[i] = predict(v, e, scores[i])
			}
		}
	}
	threshold, cv := chooseThreshold(all, held, sets)
	if *misses != "" {
		for i, e := range all {
			if sets[e.set].name != *misses {
				continue
			}
			p := held[i]
			answered := p.best >= threshold && len(e.x) > 0
			top := "(no candidate)"
			if len(e.texts) > 0 {
				top = e.texts[p.top]
			}
			switch {
			case e.unans && answered:
				fmt.Printf("ANSWERED %s %q p=%.2f: %s\n", e.q.ID, e.q.Q, p.best, top)
			case !e.unans && !answered:
				fmt.Printf("DECLINED %s %q p=%.2f rank %d: %s\n", e.q.ID, e.q.Q, p.best, p.right, top)
			case !e.unans && p.right != 1:
				fmt.Printf("WRONG    %s %q p=%.2f rank %d: %s\n", e.q.ID, e.q.Q, p.best, p.right, top)
				if j := slices.Index(e.y, true); j >= 0 {
					fmt.Printf("         right: %s\n", e.texts[j])
				}
			}
		}
	}
	fmt.Printf("threshold %.4f (best mean accuracy on held-out folds within the false-refusal bounds)\n", threshold)
	names := make([]string, 0, len(cv))
	for n := range cv {
		names = append(names, n)
	}
	sort.Strings(names)
	for si, set := range sets {
		var exs []example
		for _, e := range all {
			if e.set == si {
				exs = append(exs, e)
			}
		}
		cv[set.name]["bm25@1"] = bm25First(exs)
		if a := separation(all, held, si); !math.IsNaN(a) {
			cv[set.name]["auc"] = a
		}
	}
	for _, n := range names {
		m := cv[n]
		fmt.Printf("%-12s questions %4.0f  recall %.3f  plain BM25 first %.3f  ranked first %.3f  hit@1 %.3f  hit@3 %.3f  refusal %.3f  false refusals %.3f  auc %.3f",
			n, m["questions"], m["recall"], m["bm25@1"], m["ranked@1"], m["hit@1"], m["hit@3"], m["refusal"], m["false_refusals"], m["auc"])
		if l, ok := m["later@1"]; ok {
			fmt.Printf("  later turns hit@1 %.3f fr %.3f", l, m["later_false_refusals"])
		}
		fmt.Println()
	}
	if *dry {
		return
	}
	params.Weights = fitRanker(all, *l2)
	params.Decide = fitDecision(rows, *l2)
	params.Threshold = threshold
	data, err := qa.MarshalParams(params, "written by go run ./cmd/train; cv: held-out scores at the threshold", cv)
	if err != nil {
		log.Fatalf("train: %v", err)
	}
	if err := os.WriteFile(*out, data, 0o644); err != nil {
		log.Fatalf("train: %v", err)
	}
	fmt.Println("wrote", *out)
}

// bm25First returns the share of the answerable questions of exs whose
// candidate with the best BM25 feature is right: plain BM25, with no
// learned weight and never declining.
func bm25First(exs []example) float64 {
	bm := slices.Index(qa.FeatureNames(), "bm25")
	hits, n := 0, 0
	for _, e := range exs {
		if e.unans {
			continue
		}
		n++
		best := -1
		for i, x := range e.x {
			if best < 0 || x[bm] > e.x[best][bm] {
				best = i
			}
		}
		if best >= 0 && e.y[best] {
			hits++
		}
	}
	return ratio(float64(hits), float64(n))
}

func answerable(exs []example) int {
	n := 0
	for _, e := range exs {
		if !e.unans {
			n++
		}
	}
	return n
}

// inFold returns the examples in fold k, or (in false) those not in it.
func inFold(all []example, k int, in bool) []example {
	var out []example
	for _, e := range all {
		if (e.fold == k) == in {
			out = append(out, e)
		}
	}
	return out
}

// collect asks every question of set s and labels its candidates.
func collect(si int, s setSpec, folds int) ([]example, error) {
	var arts []qa.Article
	var err error
	if s.corpus == "" {
		arts, err = qa.LoadFS(seeds.FS)
	} else {
		arts, err = qa.LoadDir(s.corpus)
	}
	if err != nil {
		return nil, err
	}
	ix, err := qa.NewIndex(arts)
	if err != nil {
		return nil, err
	}
	var qs []*evalset.Question
	for _, f := range s.files {
		q, err := evalset.Read(f)
		if err != nil {
			return nil, err
		}
		qs = append(qs, q...)
	}
	if len(qs) == 0 {
		return nil, fmt.Errorf("no questions")
	}
	w := s.weight * 1000 / float64(len(qs))
	out := make([]example, 0, len(qs))
	var conv qa.Conversation // of the dialog being asked
	for _, q := range qs {
		if q.Turn == 1 {
			conv = qa.Conversation{}
		}
		key := q.Article
		if key == "" {
			key = q.Dialog // a dialog's turns are one fold
		}
		if key == "" {
			key = q.ID
		}
		h := fnv.New32a()
		h.Write([]byte(key))
		e := example{q: q, set: si, fold: int(h.Sum32() % uint32(folds)), unans: q.Unanswerable, weight: w}
		cands := ix.Candidates(q.Q)
		if q.Dialog != "" {
			// The turn as AskIn resolves it, after the answers the
			// current weights gave to the turns before.
			cands = ix.CandidatesIn(&conv, q.Q)
			if _, _, err := ix.AskIn(&conv, q.Q); err != nil {
				return nil, fmt.Errorf("%s: %v", q.ID, err)
			}
		}
		for _, c := range cands {
			e.x = append(e.x, c.X)
			e.f = append(e.f, c.Features)
			e.texts = append(e.texts, c.Text)
			e.y = append(e.y, q.Right(c.Text))
		}
		out = append(out, e)
	}
	return out, nil
}

// fitRanker returns the ranking weights: those maximising the listwise
// log-likelihood of the right candidates (rank.go's formula) over the
// answerable questions with a right candidate, minus λ/2 |w|².
func fitRanker(exs []example, l2 float64) []float64 {
	var use []example
	var total float64
	for _, e := range exs {
		if !e.unans && slices.Contains(e.y, true) {
			use = append(use, e)
			total += e.weight
		}
	}
	lambda := l2 * total / 1000
	f := func(w, grad []float64) float64 {
		if grad != nil {
			clear(grad)
		}
		var loss float64
		s := make([]float64, 0, 64)
		for _, e := range use {
			s = s[:0]
			hi := math.Inf(-1)
			for _, x := range e.x {
				v := dot(w, x)
				s = append(s, v)
				hi = max(hi, v)
			}
			var all, right float64
			for i, v := range s {
				ev := math.Exp(v - hi)
				all += ev
				if e.y[i] {
					right += ev
				}
			}
			loss -= e.weight * (math.Log(right) - math.Log(all))
			if grad != nil {
				for i, x := range e.x {
					ev := math.Exp(s[i] - hi)
					g := ev / all
					if e.y[i] {
						g -= ev / right
					}
					g *= e.weight
					for j, v := range x {
						grad[j] += g * v
					}
				}
			}
		}
		return loss + penalty(w, lambda, grad)
	}
	return minimize(f, qa.NumFeatures)
}

// penalty adds λ/2 |w|² (bias excluded) to grad and returns it.
func penalty(w []float64, lambda float64, grad []float64) float64 {
	var f float64
	for j := 1; j < len(w); j++ {
		f += lambda / 2 * w[j] * w[j]
		if grad != nil {
			grad[j] += lambda * w[j]
		}
	}
	return f
}

func minimize(f func(w, grad []float64) float64, dim int) []float64 {
	problem := optimize.Problem{
		Func: func(w []float64) float64 { return f(w, nil) },
		Grad: func(grad, w []float64) { f(w, grad) },
	}
	res, err := optimize.Minimize(problem, make([]float64, dim), &optimize.Settings{MajorIterations: 300}, &optimize.LBFGS{})
	if err != nil && res == nil {
		log.Fatalf("train: fit: %v", err)
	}
	return res.X
}

// scoreAll returns the rank scores of e's candidates under w.
func scoreAll(w []float64, e example) []float64 {
	s := make([]float64, len(e.x))
	for i, x := range e.x {
		s[i] = dot(w, x)
	}
	return s
}

// decisionRow is the decision vector of one candidate under held-out
// rank scores, labelled whether it is right.
type decisionRow struct {
	ex     int
	d      []float64
	y      bool
	weight float64
}

// topN returns the indexes of the n best scores, best first.
func topN(s []float64, n int) []int {
	order := make([]int, len(s))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool { return s[order[i]] > s[order[j]] })
	return order[:min(n, len(order))]
}

// topWeight is how much more the best-scored candidate's row of a question
// weighs in the decision model than each other candidate's. The other rows
// teach it to pick among close candidates (Ask reorders the first
// qa.Decided by probability); the best one's row is the decision that
// matters, whether to answer at all. Chosen by cross-validation: weighing
// it 1, 3, 10, 30 or alone, 30 told answered from unanswerable best (AUC on
// chat 0.863, 0.875, 0.881, 0.884, 0.886) while alone it ordered the
// candidates worse (ranked first 0.713, 0.711, 0.708, 0.706, 0.701).
const topWeight = 30

func decisionRows(all []example, scores [][]float64, sets []setSpec) []decisionRow {
	var rows []decisionRow
	for i, e := range all {
		if !sets[e.set].decide {
			continue
		}
		ds := qa.DecisionVectors(e.f, scores[i])
		if len(ds) == 0 {
			continue
		}
		best := topN(scores[i], 1)[0]
		for j, d := range ds {
			w := e.weight
			if j == best {
				w *= topWeight
			}
			rows = append(rows, decisionRow{ex: i, d: d, y: e.y[j] && !e.unans, weight: w})
		}
	}
	return rows
}

// fitDecision fits the decision model: logistic regression of whether a
// candidate is right on its decision vector.
func fitDecision(rows []decisionRow, l2 float64) []float64 {
	signs := make([]float64, qa.NumDecision) // per weight: 1, -1, or 0 for free
	for j, name := range qa.DecisionNames() {
		signs[j] = decisionSigns[name]
	}
	var total float64
	for _, r := range rows {
		total += r.weight
	}
	lambda := l2 * total / 1000
	f := func(w, grad []float64) float64 {
		if grad != nil {
			clear(grad)
		}
		var loss float64
		for _, r := range rows {
			z := dot(w, r.d)
			y := 0.0
			if r.y {
				y = 1
			}
			// log(1+e^z) − y·z, computed stably.
			l := math.Log1p(math.Exp(-math.Abs(z))) + max(z, 0)
			loss += r.weight * (l - y*z)
			if grad != nil {
				g := r.weight * (sigmoid(z) - y)
				for j, v := range r.d {
					grad[j] += g * v
				}
			}
		}
		return loss + penalty(w, lambda, grad) + signPenalty(w, signs, total, grad)
	}
	return minimize(f, qa.NumDecision)
}

// decisionSigns are the signs the decision weights are held to, where
// which way a feature must move the probability is known beforehand: more
// of the question matched can only make an answer likelier; words the
// articles never use, or a rare word left out, only less so. Left free,
// features that move together can take the wrong sign between them, which
// does not carry over to new questions.
var decisionSigns = map[string]float64{
	"matched": 1, "share": 1, "margin": 1,
	"missing_max": -1, "unknown": -1, "unknown_words": -1, "unknown_name": -1,
}

// signPenalty holds the weights to signs (one a weight, 0 for a free one)
// by a steep quadratic penalty on the wrong side of zero, scaled like the
// loss (total is the rows' weight), added to grad.
func signPenalty(w, signs []float64, total float64, grad []float64) float64 {
	mu := 100 * total
	var f float64
	for j, sign := range signs {
		if w[j]*sign < 0 {
			f += mu / 2 * w[j] * w[j]
			if grad != nil {
				grad[j] += mu * w[j]
			}
		}
	}
	return f
}

// dot is w · x; x may be shorter than w.
func dot(w, x []float64) float64 { return floats.Dot(w[:len(x)], x) }

func sigmoid(z float64) float64 { return 1 / (1 + math.Exp(-z)) }

// prediction is a held-out question's outcome: its best probability and
// the rank of its first right candidate (0: none right).
type prediction struct {
	best  float64
	right int
	top   int // the candidate ranked first
}

func predict(v []float64, e example, scores []float64) prediction {
	var p prediction
	if len(e.x) == 0 {
		return p
	}
	// As Ask orders them: by score, then the first qa.Decided by probability.
	probs := make([]float64, len(e.x))
	ds := qa.DecisionVectors(e.f, scores)
	order := topN(scores, len(scores))
	for _, i := range order[:min(len(order), qa.Decided)] {
		probs[i] = sigmoid(dot(v, ds[i]))
	}
	head := order[:min(len(order), qa.Decided)]
	sort.SliceStable(head, func(i, j int) bool { return probs[head[i]] > probs[head[j]] })
	p.best, p.top = probs[order[0]], order[0]
	for r, i := range order {
		if e.y[i] {
			p.right = r + 1
			break
		}
	}
	return p
}

// separation returns how well the held-out probabilities of set si tell
// its questions answered right at rank 1 from its unanswerable ones: the
// area under the ROC curve, the chance that a random one of the first
// scores above a random one of the second (NaN without both). It measures
// the decision model whatever the threshold.
func separation(all []example, held []prediction, si int) float64 {
	var right, unans []float64
	for i, e := range all {
		switch {
		case e.set != si:
		case e.unans:
			unans = append(unans, held[i].best)
		case held[i].right == 1:
			right = append(right, held[i].best)
		}
	}
	if len(right) == 0 || len(unans) == 0 {
		return math.NaN()
	}
	var wins float64
	for _, r := range right {
		for _, u := range unans {
			switch {
			case r > u:
				wins++
			case r == u:
				wins += 0.5
			}
		}
	}
	return wins / float64(len(right)*len(unans))
}

// chooseThreshold returns the threshold that maximises the mean over sets
// of the balanced accuracy, and each set's held-out scores at it.
func chooseThreshold(all []example, held []prediction, sets []setSpec) (float64, map[string]map[string]float64) {
	score := func(t float64) map[string]map[string]float64 {
		out := map[string]map[string]float64{}
		type tally struct{ n, ans, recall, ranked1, hit1, hit3, unans, declined, falseRef, later, laterHit1, laterFalseRef float64 }
		ts := make([]tally, len(sets))
		for i, e := range all {
			t1 := &ts[e.set]
			t1.n++
			p := held[i]
			answered := p.best >= t && len(e.x) > 0
			if e.unans {
				t1.unans++
				if !answered {
					t1.declined++
				}
				continue
			}
			t1.ans++
			later := e.q.Turn > 1
			if later {
				t1.later++
			}
			if slices.Contains(e.y, true) {
				t1.recall++
			}
			if p.right == 1 {
				t1.ranked1++
			}
			if !answered {
				t1.falseRef++
				if later {
					t1.laterFalseRef++
				}
				continue
			}
			if p.right == 1 {
				t1.hit1++
				if later {
					t1.laterHit1++
				}
			}
			if p.right >= 1 && p.right <= 3 {
				t1.hit3++
			}
		}
		for si, s := range sets {
			x := ts[si]
			m := map[string]float64{"questions": x.n, "ranked@1": ratio(x.ranked1, x.ans), "recall": ratio(x.recall, x.ans), "hit@1": ratio(x.hit1, x.ans), "hit@3": ratio(x.hit3, x.ans),
				"false_refusals": ratio(x.falseRef, x.ans), "refusal": ratio(x.declined, x.unans)}
			m["accuracy"] = ratio(x.hit1+x.declined, x.n)
			m["later@1"] = ratio(x.laterHit1, x.later) // a dialog's answerable turns after the first
			m["later_false_refusals"] = ratio(x.laterFalseRef, x.later)
			for k, v := range m {
				if math.IsNaN(v) {
					delete(m, k) // a ratio over no question
				}
			}
			out[s.name] = m
		}
		return out
	}
	best, bestT := -1.0, 0.02
	for k := 8; k < 380; k++ {
		t := float64(k) / 400 // 0.02 to 0.95 in steps of 0.0025
		m := score(t)
		var sum, wsum float64
		ok := true
		for _, s := range sets {
			if s.decide {
				sum += s.weight * m[s.name]["accuracy"]
				wsum += s.weight
				ok = ok && m[s.name]["false_refusals"] <= s.maxFalseRefusals
				if l, later := m[s.name]["later_false_refusals"]; later {
					ok = ok && l <= s.maxFalseRefusals // issue 8 bounds a dialog's later turns
				}
			}
		}
		if ok && sum/wsum > best {
			best, bestT = sum/wsum, t
		}
	}
	if os.Getenv("TRAIN_CURVE") != "" {
		for t := 0.05; t < 0.95; t += 0.05 {
			m := score(t)
			fmt.Printf("t=%.2f", t)
			for _, s := range sets {
				fmt.Printf("  %s h1 %.2f ref %.2f fr %.2f", s.name, m[s.name]["hit@1"], m[s.name]["refusal"], m[s.name]["false_refusals"])
			}
			fmt.Println()
		}
	}
	return bestT, score(bestT)
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return math.NaN()
	}
	return math.Round(a/b*1000) / 1000
}
