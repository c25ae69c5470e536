package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

const (
	dict      = "/usr/share/wordnet"
	copyright = "/usr/share/doc/wordnet-base/copyright"
)

// TestCommittedTableIsCurrent regenerates the table from the installed
// WordNet and checks it is byte for byte the one committed beside the
// lexicon, so that a change to the generator cannot go out without its
// table. It needs Debian's wordnet-base, as the generator does.
func TestCommittedTableIsCurrent(t *testing.T) {
	if _, err := os.Stat(filepath.Join(dict, "index.noun")); err != nil {
		t.Skipf("WordNet is not installed (apt-get install -y wordnet-base): %v", err)
	}
	dir := t.TempDir()
	out, lic := filepath.Join(dir, "wordnet.bin"), filepath.Join(dir, "LICENSE.wordnet")
	if err := run(dict, out, copyright, lic, false); err != nil {
		t.Fatal(err)
	}
	for _, f := range []struct{ made, committed string }{{out, "../wordnet.bin"}, {lic, "../LICENSE.wordnet"}} {
		made, err := os.ReadFile(f.made)
		if err != nil {
			t.Fatal(err)
		}
		committed, err := os.ReadFile(f.committed)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(made, committed) {
			t.Errorf("%s is not what the generator makes (%d bytes, the generator %d): run go generate ./qa/internal/lexicon", f.committed, len(committed), len(made))
		}
	}
}

func TestVariant(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"criticize", "criticise", true},
		{"color", "colour", true},
		{"theater", "theatre", true},
		{"glide", "slide", false},           // first letters differ
		{"evaluation", "valuation", false},  // so do these
		{"criticize", "criticize", false},   // the same word
		{"axe", "ax", false},                // too short to tell
		{"recognize", "recognition", false}, // more than one edit
	} {
		if got := variant(tc.a, tc.b); got != tc.want {
			t.Errorf("variant(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
		if got := variant(tc.b, tc.a); got != tc.want {
			t.Errorf("variant(%q, %q) = %v, want %v", tc.b, tc.a, got, tc.want)
		}
	}
}
