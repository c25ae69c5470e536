package qa

// Summary() is a multi-document extractive summary: the sentences most
// central to the story, by LexRank (Erkan & Radev 2004, "LexRank:
// Graph-based Lexical Centrality as Salience in Text Summarization", JAIR
// 22), made less redundant by Maximal Marginal Relevance (Carbonell &
// Goldstein 1998, "The Use of MMR, Diversity-Based Reranking for Reordering
// Documents and Producing Summaries", SIGIR).
//
//   - Sentences: every sentence of the articles but headlines, subheads
//     and the publisher's appeal to the reader (furniture never reaches
//     the index), with at least minSummaryWords
//     (6) words that are not stop words, and none a reader could not take
//     alone: a question; a piece of a quotation the splitter cut; a
//     sentence that gives its words to a pronoun ("…," he said); one that
//     opens with "He" or a stand-in ("The Russian leader") when the
//     sentence before does not name whom. When there are more than
//     maxLexRankSentences (1500), the ones nearest the centroid of all
//     (MEAD's centroid score, Radev et al. 2004) go on to the graph.
//   - Similarity: Erkan & Radev's idf-modified cosine of the sentences'
//     term vectors (term frequency × the index's idf, terms stemmed, stop
//     words out).
//   - Nodes: sentences that say the same thing (the Jaccard test that
//     merges Ask's answers, sameThing) are one node, shown once with the
//     other articles as AlsoIn. A node that stands for m articles counts as
//     m sentences, as it would unmerged: edges into it weigh m times its
//     similarity, and the random surfer jumps to it m times as often. So a
//     fact several outlets carry is more central.
//   - Graph: continuous LexRank, edges weighted by the similarity where it
//     is at least lexRankThreshold (0.1), self-loops kept as in the paper.
//   - Centrality: PageRank by power iteration, damping 0.85, until the
//     scores move less than 1e-9 in total (at most 200 rounds). The jump
//     is biased (biased LexRank, Otterbacher, Erkan & Radev 2005) by
//     position, as news puts the story first: a node's share is m /
//     √(1 + r), r the place of its earliest sentence among its article's
//     candidates (0 for the first). On a story of many articles the
//     similarities decide; on one short article, whose sentences share few
//     words, the lead does, the baseline single-article news summaries
//     find hard to beat.
//   - Selection: MMR with λ = 0.7 over centrality scaled to the best node,
//     against the highest similarity to a node already chosen; a node at
//     summaryRedundant (0.3) or more similar to one chosen is never taken.
//     round(√nodes / 2) sentences, at least 3 and at most 6, or as many as
//     there are.
//   - Order: as the articles tell it, by article then position, so the
//     summary reads as a story.
//
// It is worked out once per index, on first call, and kept.

import (
	"math"
	"slices"
	"sort"
	"strings"
)

const (
	minSummaryWords     = 6    // content words in a sentence the summary may quote
	maxLexRankSentences = 1500 // sentences on the LexRank graph; the rest by centroid
	lexRankThreshold    = 0.1  // similarity under which two sentences have no edge
	lexRankDamping      = 0.85
	mmrLambda           = 0.7 // weight of centrality against redundancy
	summaryRedundant    = 0.3 // similarity to a chosen sentence that rules a sentence out
	minSummary          = 3
	maxSummary          = 6
)

// Summary returns the 3 to 6 sentences most central to the story, each
// with its source and the other articles that say the same thing, in the
// order the articles tell them. Score is the sentence's centrality, the most
// central 1. It is worked out on the first call and kept; callers may
// change what it returns.
func (ix *Index) Summary() []Answer {
	ix.story.summaryOnce.Do(func() { ix.story.summary = ix.summarize() })
	return cloneAnswers(ix.story.summary)
}

func cloneAnswers(as []Answer) []Answer {
	out := slices.Clone(as)
	for i := range out {
		out[i].AlsoIn = slices.Clone(out[i].AlsoIn)
	}
	return out
}

// termVec is a sentence's tf·idf vector, terms sorted, with its length.
type termVec struct {
	terms []int32
	w     []float64
	norm  float64
}

// vector returns sentence i's tf·idf vector.
func (ix *Index) vector(i int32) termVec {
	s := &ix.sents[i]
	dt := ix.sentenceTerms(i)
	v := termVec{terms: dt, w: make([]float64, len(dt))}
	for _, t := range ix.toks[s.tok : s.tok+s.ntok] {
		if t >= 0 {
			k, _ := slices.BinarySearch(dt, t)
			v.w[k]++
		}
	}
	for k, t := range dt {
		v.w[k] *= ix.idfs[t]
		v.norm += v.w[k] * v.w[k]
	}
	v.norm = math.Sqrt(v.norm)
	return v
}

// cosine is the idf-modified cosine of two sentence vectors.
func cosine(a, b *termVec) float64 {
	if a.norm == 0 || b.norm == 0 {
		return 0
	}
	dot, i, j := 0.0, 0, 0
	for i < len(a.terms) && j < len(b.terms) {
		switch {
		case a.terms[i] == b.terms[j]:
			dot += a.w[i] * b.w[j]
			i++
			j++
		case a.terms[i] < b.terms[j]:
			i++
		default:
			j++
		}
	}
	return dot / (a.norm * b.norm)
}

type nodeEdge struct {
	to  int
	sim float64
}

// summaryNode is one or more sentences that say the same thing.
type summaryNode struct {
	sents   []int32    // members, the shown one first
	arts    int        // distinct articles among them
	prior   float64    // where the random surfer jumps: arts × the position prior of its earliest member
	score   float64    // centrality
	edges   []nodeEdge // to other nodes, by node number
	chosen  bool
	maxSimS float64 // highest similarity to a chosen node
}

func (ix *Index) summarize() []Answer {
	var cands []int32
	for i := range ix.sents {
		s := &ix.sents[i]
		if s.headline || s.appeal || s.length < minSummaryWords {
			continue
		}
		if (s.pronoun || s.standIn) && ix.context(int32(i)) == "" {
			continue // "He said…" with no one named just before
		}
		text := ix.texts[s.art][s.start:s.end]
		if pronounSays(text) {
			continue // "…," he said: whose words, the summary would not say
		}
		if strings.HasSuffix(strings.TrimRightFunc(text, isCloser), "?") || !quotesBalance(text) {
			continue // a question, or a piece of a quotation cut by the splitter
		}
		cands = append(cands, int32(i))
	}
	if len(cands) == 0 {
		return []Answer{}
	}
	vecs := make([]termVec, len(cands))
	for k, i := range cands {
		vecs[k] = ix.vector(i)
	}
	if len(cands) > maxLexRankSentences {
		cands, vecs = nearCentroid(cands, vecs, maxLexRankSentences)
	}
	n := len(cands)

	// Similarities: each sentence's neighbours at or above the threshold,
	// and the sentences that say the same thing, joined (union-find).
	type edge struct {
		to  int
		sim float64
	}
	adj := make([][]edge, n)
	parent := make([]int, n)
	for k := range parent {
		parent[k] = k
	}
	var find func(int) int
	find = func(k int) int {
		for parent[k] != k {
			parent[k] = parent[parent[k]]
			k = parent[k]
		}
		return k
	}
	for a := 0; a < n; a++ {
		sa := ix.sents[cands[a]].sig
		for b := a + 1; b < n; b++ {
			if sa&ix.sents[cands[b]].sig == 0 {
				continue // no term in common
			}
			sim := cosine(&vecs[a], &vecs[b])
			if sim < lexRankThreshold {
				continue
			}
			adj[a] = append(adj[a], edge{b, sim})
			adj[b] = append(adj[b], edge{a, sim})
			if ix.sameThing(cands[a], cands[b]) {
				if ra, rb := find(a), find(b); ra != rb {
					parent[max(ra, rb)] = min(ra, rb)
				}
			}
		}
	}

	// Position: the how-many-th candidate each is in its article.
	rank := make([]int, n)
	for a := 1; a < n; a++ {
		if ix.sents[cands[a]].art == ix.sents[cands[a-1]].art {
			rank[a] = rank[a-1] + 1
		}
	}

	// Nodes: a group of sentences that say the same thing. The one shown
	// is the most connected, its degree the sum of its similarities.
	degree := make([]float64, n)
	for a := range adj {
		for _, e := range adj[a] {
			degree[a] += e.sim
		}
	}
	nodeOf := make([]int, n)
	var nodes []*summaryNode
	root := map[int]int{}
	for a := 0; a < n; a++ {
		r := find(a)
		id, ok := root[r]
		if !ok {
			id = len(nodes)
			root[r] = id
			nodes = append(nodes, &summaryNode{})
		}
		nodeOf[a] = id
		nodes[id].sents = append(nodes[id].sents, int32(a)) // a candidate number for now
	}
	for _, nd := range nodes {
		slices.SortStableFunc(nd.sents, func(x, y int32) int {
			return -cmpFloat(degree[x], degree[y])
		})
		arts := map[int32]bool{}
		for _, a := range nd.sents {
			arts[ix.sents[cands[a]].art] = true
		}
		nd.arts = len(arts)
		for _, a := range nd.sents {
			nd.prior = max(nd.prior, 1/math.Sqrt(1+float64(rank[a])))
		}
		nd.prior *= float64(nd.arts)
	}
	// Two nodes are as similar as their most similar members.
	for u, nd := range nodes {
		sims := map[int]float64{}
		for _, a := range nd.sents {
			for _, e := range adj[a] {
				if v := nodeOf[e.to]; v != u && e.sim > sims[v] {
					sims[v] = e.sim
				}
			}
		}
		for v, sim := range sims {
			nd.edges = append(nd.edges, nodeEdge{v, sim})
		}
		slices.SortFunc(nd.edges, func(x, y nodeEdge) int { return x.to - y.to })
	}
	lexRank(nodes)
	// MMR over the nodes.
	k := min(maxSummary, max(minSummary, int(math.Round(math.Sqrt(float64(len(nodes)))/2))), len(nodes))
	best := 0.0
	for _, nd := range nodes {
		best = max(best, nd.score)
	}
	var picked []int
	for len(picked) < k {
		pick, pickVal := -1, math.Inf(-1)
		for id, nd := range nodes {
			if nd.chosen || nd.maxSimS >= summaryRedundant {
				continue
			}
			val := mmrLambda*nd.score/best - (1-mmrLambda)*nd.maxSimS
			if val > pickVal {
				pick, pickVal = id, val
			}
		}
		if pick < 0 {
			break
		}
		nodes[pick].chosen = true
		picked = append(picked, pick)
		for _, e := range nodes[pick].edges {
			nodes[e.to].maxSimS = max(nodes[e.to].maxSimS, e.sim)
		}
	}

	out := make([]Answer, 0, len(picked))
	sort.Slice(picked, func(x, y int) bool {
		return cands[nodes[picked[x]].sents[0]] < cands[nodes[picked[y]].sents[0]]
	})
	for _, id := range picked {
		nd := nodes[id]
		shown := cands[nd.sents[0]]
		s := &ix.sents[shown]
		a := Answer{
			Text:    ix.texts[s.art][s.start:s.end],
			Context: ix.context(shown),
			Score:   math.Round(nd.score/best*1000) / 1000,
			Source:  ix.sources[s.art].Source,
			AlsoIn:  []Source{},
		}
		for _, m := range nd.sents[1:] {
			src := ix.sources[ix.sents[cands[m]].art].Source
			if src.ID != a.Source.ID && !slices.ContainsFunc(a.AlsoIn, func(o Source) bool { return o.ID == src.ID }) {
				a.AlsoIn = append(a.AlsoIn, src)
			}
		}
		out = append(out, a)
	}
	return out
}

// lexRank sets each node's score to its stationary probability under
// PageRank on the similarity graph: continuous LexRank, a node of m
// articles counting as m sentences.
func lexRank(nodes []*summaryNode) {
	n := len(nodes)
	total := 0.0
	for _, nd := range nodes {
		total += nd.prior
	}
	// out[u]: u's weighted degree, its self-loop (similarity 1) included.
	out := make([]float64, n)
	for u, nd := range nodes {
		out[u] = float64(nd.arts)
		for _, e := range nd.edges {
			out[u] += e.sim * float64(nodes[e.to].arts)
		}
	}
	p := make([]float64, n)
	next := make([]float64, n)
	for u, nd := range nodes {
		p[u] = nd.prior / total
	}
	for range 200 {
		for v, nd := range nodes {
			next[v] = (1 - lexRankDamping) * nd.prior / total
		}
		for u, nd := range nodes {
			share := lexRankDamping * p[u] / out[u]
			next[u] += share * float64(nd.arts)
			for _, e := range nd.edges {
				next[e.to] += share * e.sim * float64(nodes[e.to].arts)
			}
		}
		diff := 0.0
		for u := range p {
			diff += math.Abs(next[u] - p[u])
		}
		p, next = next, p
		if diff < 1e-9 {
			break
		}
	}
	for u, nd := range nodes {
		nd.score = p[u]
	}
}

// nearCentroid keeps the keep sentences whose vectors are nearest the
// centroid of all of them, in their order.
func nearCentroid(cands []int32, vecs []termVec, keep int) ([]int32, []termVec) {
	centroid := map[int32]float64{}
	for _, v := range vecs {
		for k, t := range v.terms {
			centroid[t] += v.w[k] / v.norm / float64(len(vecs))
		}
	}
	score := make([]float64, len(vecs))
	for i, v := range vecs {
		for k, t := range v.terms {
			score[i] += v.w[k] / v.norm * centroid[t]
		}
	}
	idx := make([]int, len(cands))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return score[idx[a]] > score[idx[b]] })
	idx = idx[:keep]
	slices.Sort(idx)
	c2, v2 := make([]int32, keep), make([]termVec, keep)
	for k, i := range idx {
		c2[k], v2[k] = cands[i], vecs[i]
	}
	return c2, v2
}

// quotesBalance reports whether every quotation s opens it also closes,
// and it closes none it did not open.
func quotesBalance(s string) bool {
	open := strings.Count(s, "“") - strings.Count(s, "”")
	return open == 0 && strings.Count(s, `"`)%2 == 0
}

// pronounSays reports whether sentence s gives its words to a pronoun:
// "he said", "said she", "they told".
func pronounSays(s string) bool {
	var prev string
	found := false
	tokenize(s, func(t token) {
		w := string(t.word)
		if (prev == "he" || prev == "she" || prev == "they") && (sayingWords[w] || reportWords[w]) ||
			(sayingWords[prev] || reportWords[prev]) && (w == "he" || w == "she" || w == "they") {
			found = true
		}
		prev = w
	})
	return found
}

// reportWords are verbs that give a quotation to someone besides those of
// lists/saying.txt.
var reportWords = setOf(`added adds noted notes wrote writes explained explains insisted insists
	argued argues warned warns recalled recalls continued continues asked asks`)

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
