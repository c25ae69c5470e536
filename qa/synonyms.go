package qa

import "strings"

// synonyms maps a term to the other terms of its groups in
// lists/synonyms.txt.
var synonyms = func() map[string][]string {
	m := map[string][]string{}
	for _, line := range listLines("synonyms.txt") {
		var terms []string
		for _, w := range strings.Fields(line) {
			terms = append(terms, stem(w))
		}
		for _, t := range terms {
			for _, o := range terms {
				if o != t {
					m[t] = append(m[t], o)
				}
			}
		}
	}
	return m
}()
