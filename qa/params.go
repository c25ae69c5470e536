package qa

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"slices"
)

// Params are the ranker's settings. The defaults are read from weights.json,
// which `go run ./cmd/train` writes: the learned weights, the decline
// threshold chosen on held-out folds, and the fixed settings the features
// were computed with.
type Params struct {
	K1         float64 // BM25 term-frequency saturation
	B          float64 // BM25 length normalisation
	Candidates int     // sentences rescored in stage 2
	// Recall weighs a term in stage 1 by how it matches the question's
	// word, so that a synonym alone does not push the word itself out of
	// the candidates. It only chooses candidates; stage 2's weights order them.
	Recall    [nMatch]float64
	Weights   []float64 // one a feature, in the order of FeatureNames
	Decide    []float64 // one a decision feature (decide.go)
	Threshold float64   // decline when the best answer's probability is under it
	// Context weighs the words a follow-up inherits from the turns before
	// it, against the question's own idf (conversation.go). Chosen by
	// cross-validation on the dialog sets (0.4, 0.5, 0.6, 0.8 and 1 put
	// the later turns first 0.641, 0.641, 0.645, 0.634, 0.628; once "he"
	// was told apart from other names and dialog-f joined, 0.3, 0.35,
	// 0.45, 0.6 and 0.8 put them first 0.648, 0.650, 0.650, 0.644, 0.641
	// and CoQA's 0.232, 0.232, 0.234, 0.225, 0.228); train keeps it.
	Context float64
	// Prior weighs, times Context, the last turn's words that a question
	// which neither points at them nor names anyone is asked with
	// (conversation.go): it may still be about them. Chosen by cross-
	// validation on the dialog sets (with Context 1, 0.2, 0.35, 0.6 and 1
	// put the later turns first 0.616, 0.630, 0.610, 0.606, none 0.616;
	// with Context 0.6, 0.35 0.645 and 0.6 0.637); train keeps it.
	Prior float64
}

// maxCandidates bounds Params.Candidates.
const maxCandidates = 256

// weightsFile is the JSON form of Params.
type weightsFile struct {
	Comment    string             `json:"comment,omitempty"`
	K1         float64            `json:"k1"`
	B          float64            `json:"b"`
	Candidates int                `json:"candidates"`
	Recall     map[string]float64 `json:"recall"`
	Threshold  float64            `json:"threshold"`
	Context    float64            `json:"context"`
	Prior      float64            `json:"prior"`
	Weights    map[string]float64 `json:"weights"`
	Decide     map[string]float64 `json:"decide"`
	// CV holds the cross-validated scores the training measured, for the record.
	CV map[string]map[string]float64 `json:"cv,omitempty"`
}

//go:embed weights.json
var weightsJSON []byte

var defaultParams = func() Params {
	p, err := ParseParams(weightsJSON)
	if err != nil {
		panic(fmt.Sprintf("qa: weights.json: %v", err)) // embedded: a test reads it
	}
	return p
}()

// DefaultParams returns the parameters of weights.json.
func DefaultParams() Params {
	p := defaultParams
	p.Weights = append([]float64(nil), p.Weights...)
	return p
}

// ParseParams reads parameters in the form of weights.json. A feature the
// file does not weigh gets weight 0; a weight for an unknown feature is an
// error.
func ParseParams(data []byte) (Params, error) {
	var f weightsFile
	if err := json.Unmarshal(data, &f); err != nil {
		return Params{}, err
	}
	p := Params{K1: f.K1, B: f.B, Candidates: f.Candidates,
		Threshold: f.Threshold, Context: f.Context, Prior: f.Prior, Weights: make([]float64, NumFeatures), Decide: make([]float64, NumDecision)}
	if p.Context <= 0 || p.Context > 1 {
		return Params{}, fmt.Errorf("context %g: want (0, 1]", p.Context)
	}
	if p.Prior < 0 || p.Prior > 1 {
		return Params{}, fmt.Errorf("prior %g: want [0, 1]", p.Prior)
	}
	if p.K1 <= 0 || p.B < 0 || p.B > 1 || p.Candidates <= 0 || p.Candidates > maxCandidates {
		return Params{}, fmt.Errorf("k1 %g, b %g, candidates %d: out of range", p.K1, p.B, p.Candidates)
	}
	for k, v := range f.Recall {
		found := false
		for m, name := range matchNames {
			if name == k {
				p.Recall[m], found = v, true
			}
		}
		if !found {
			return Params{}, fmt.Errorf("recall: no match kind %q", k)
		}
	}
	if err := readWeights("weights", f.Weights, featureNames, p.Weights); err != nil {
		return Params{}, err
	}
	if err := readWeights("decide", f.Decide, decisionNames, p.Decide); err != nil {
		return Params{}, err
	}
	return p, nil
}

// readWeights sets dst[i] to m[names[i]].
func readWeights(table string, m map[string]float64, names []string, dst []float64) error {
	for k, v := range m {
		i := slices.Index(names, k)
		if i < 0 {
			return fmt.Errorf("%s: no feature %q", table, k)
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%s: %s is %g", table, k, v)
		}
		dst[i] = v
	}
	return nil
}

// MarshalParams returns p in the form of weights.json, with a comment and
// the cross-validated scores to record beside it.
func MarshalParams(p Params, comment string, cv map[string]map[string]float64) ([]byte, error) {
	f := weightsFile{Comment: comment, K1: p.K1, B: p.B, Candidates: p.Candidates, Threshold: p.Threshold, Context: p.Context, Prior: p.Prior, Recall: map[string]float64{},
		Weights: map[string]float64{}, Decide: map[string]float64{}, CV: cv}
	for m, name := range matchNames {
		f.Recall[name] = p.Recall[m]
	}
	for i, name := range featureNames {
		f.Weights[name] = math.Round(p.Weights[i]*1e4) / 1e4
	}
	for i, name := range decisionNames {
		f.Decide[name] = math.Round(p.Decide[i]*1e4) / 1e4
	}
	out, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}
