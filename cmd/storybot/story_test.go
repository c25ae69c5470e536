package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestStoryCommands runs storybot summary, timeline and people on the
// built-in articles, as JSON and readable, and asks "what happened?".
func TestStoryCommands(t *testing.T) {
	decode := func(args ...string) storyJSON {
		t.Helper()
		code, out, errOut := cliRun(t, "", args...)
		if code != 0 || errOut != "" {
			t.Fatalf("%q: exit %d, stderr %q", args, code, errOut)
		}
		var v storyJSON
		if err := json.Unmarshal([]byte(out), &v); err != nil {
			t.Fatalf("%q: %v: %s", args, err, out)
		}
		return v
	}
	if s := decode("summary", "--json"); s.Kind != "summary" || len(s.Answers) < 3 || len(s.Answers) > 6 {
		t.Errorf("summary: kind %q, %d sentences; want 3-6", s.Kind, len(s.Answers))
	}
	tl := decode("timeline", "--json")
	var dates []string
	for _, e := range tl.Events {
		if e.Date != "" {
			dates = append(dates, e.Date)
		}
	}
	if tl.Kind != "timeline" || !slices.IsSorted(dates) || !slices.Contains(dates, "2024-12-08") || !slices.Contains(dates, "2025-02-12") {
		t.Errorf("timeline: kind %q, dates %q; want sorted, Assad's fall and the call among them", tl.Kind, dates)
	}
	people := decode("people", "--json")
	found := false
	for _, p := range people.People {
		if p.Name == "Dmitry Peskov" && strings.Contains(p.Role, "spokesman") {
			found = true
		}
	}
	if !found {
		t.Errorf("people: %+v, want Dmitry Peskov, Kremlin spokesman", people.People)
	}
	code, out, _ := cliRun(t, "", "timeline")
	if code != 0 || !strings.HasPrefix(out, "Timeline:\n• ") {
		t.Errorf("readable timeline: exit %d, %q", code, out)
	}
	code, out, _ = cliRun(t, "", "ask", "--json", "what happened?")
	var a jsonAnswer
	if err := json.Unmarshal([]byte(out), &a); code != 0 || err != nil || a.Kind != "summary" || !a.Answered || len(a.Answers) < 3 {
		t.Errorf("ask what happened: exit %d, %+v (%v)", code, a, err)
	}
	if code, _, errOut := cliRun(t, "", "people", "extra"); code != 2 || !strings.Contains(errOut, "takes no arguments") {
		t.Errorf("people extra: exit %d, %q", code, errOut)
	}
}

// TestCorpusWarnings: what loading a folder passes over, and an article
// with no sentence, are said on stderr, naming the file; the rest loads.
func TestCorpusWarnings(t *testing.T) {
	dir := cliCorpus(t)
	if err := os.WriteFile(filepath.Join(dir, "blank.txt"), []byte("Photo\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "drafts"), 0o755); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := cliRun(t, "", "sources", "--corpus", dir)
	for _, want := range []string{"storybot: warning: drafts: a folder: not read", "storybot: warning: blank.txt: no sentence to answer from"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if code != 0 || !strings.Contains(out, "Granite tower changes hands") {
		t.Errorf("exit %d, stdout %q: want the other articles listed", code, out)
	}
}
