package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/storybot/storybot/qa"
)

func TestSources(t *testing.T) {
	code, out, errOut := cliRun(t, "", "sources", "--corpus", cliCorpus(t))
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 5 {
		t.Fatalf("want a header, 3 articles and a total:\n%s", out)
	}
	for i, want := range [][]string{
		{"ID", "SENTENCES", "OUTLET", "TITLE"},
		{"lighthouse", "3", "Harbour Gazette", "Granite tower changes hands"},
		{"marathon", "-", "Ferry strike delays island marathon"},
		{"orchard", "2", "Valley Times", "Valley growers celebrate"},
		{"3 articles,", "sentences"},
	} {
		for _, w := range want {
			if !strings.Contains(lines[i], w) {
				t.Errorf("line %d = %q, want it to hold %q", i+1, lines[i], w)
			}
		}
	}
}

func TestSourcesJSON(t *testing.T) {
	code, out, _ := cliRun(t, "", "sources", "--json", "--corpus", cliCorpus(t))
	var got []qa.SourceInfo
	if err := json.Unmarshal([]byte(out), &got); code != 0 || err != nil {
		t.Fatalf("exit %d, %v: %s", code, err, out)
	}
	if len(got) != 3 || got[0].ID != "lighthouse" || got[0].Outlet != "Harbour Gazette" || got[0].Sentences != 3 {
		t.Errorf("got %+v", got)
	}
}

func TestSourcesEmbedded(t *testing.T) {
	code, out, _ := cliRun(t, "", "sources")
	if code != 0 || !strings.Contains(out, "5 articles,") {
		t.Errorf("exit %d, want the 5 embedded articles:\n%s", code, out)
	}
}

// TestSourcesTotalInTheSingular: one article of one sentence is counted so.
func TestSourcesTotalInTheSingular(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "note.txt"), []byte("The ferry runs again on Monday.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, _ := cliRun(t, "", "sources", "--corpus", dir)
	if code != 0 || !strings.HasSuffix(out, "\n1 article, 1 sentence\n") {
		t.Errorf("exit %d, want the total \"1 article, 1 sentence\":\n%s", code, out)
	}
}
