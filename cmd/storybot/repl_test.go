package main

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// cliRun runs storybot in-process with args and stdin as if from a pipe
// (not a terminal), and returns the exit code and what it printed.
func cliRun(t testing.TB, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb strings.Builder
	code = run(context.Background(), args, env{
		stdin:  strings.NewReader(stdin),
		stdout: &out,
		stderr: &errb,
		getenv: func(k string) string {
			if k == "COLUMNS" {
				return "80"
			}
			return ""
		},
	})
	return code, out.String(), errb.String()
}

// cliCorpus writes three tiny articles to a temporary folder and returns
// it. Each question the tests ask has one obvious answer in it, whatever
// the details of the ranking; nothing in it is near "price" or "bitcoin".
func cliCorpus(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"lighthouse.txt": "---\ntitle: Granite tower changes hands\noutlet: Harbour Gazette\n---\n" +
			"Miriam Okafor became the keeper of the Port Alder lighthouse in March.\n" +
			"The lighthouse was built in 1887 from granite quarried on the island.\n" +
			"The harbour bell rang \x1b[31mtwice\x1b[0m\x1b[2J at dawn to welcome her.\n",
		"orchard.txt": "---\ntitle: Valley growers celebrate\noutlet: Valley Times\n---\n" +
			"The Brambleton cider orchard won the regional apple award on Saturday.\n" +
			"Its owner, Tomasz Wierzbicki, planted the first trees in 1962.\n",
		"marathon.txt": "Ferry strike delays island marathon\n\n" +
			"The island marathon was postponed by two weeks because of a ferry strike.\n" +
			"Runners will now start at the old quay on 14 June.\n",
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const (
	qKeeper  = "Who is the keeper of the Port Alder lighthouse?"
	qBell    = "How many times did the harbour bell ring at dawn?"
	qBitcoin = "What is the price of bitcoin?"
	qTrees   = "Who planted the first trees at the cider orchard?"
)

func TestREPLFromPipe(t *testing.T) {
	dir := cliCorpus(t)
	code, out, errOut := cliRun(t, ":help\n:sources\n"+qKeeper+"\n"+qBitcoin+"\n:quit\n"+qTrees+"\n", "--corpus", dir)
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	for _, want := range []string{
		":sources   list the articles",                     // :help
		"Granite tower changes hands — Harbour Gazette (3", // :sources
		"Valley growers celebrate — Valley Times (2 sentences)",
		"“Miriam Okafor became the keeper of the Port Alder lighthouse in March.”\n",
		"source:  Granite tower changes hands — Harbour Gazette\n",
		"I could not find that in the articles.\nTry other words, or see what they cover with :sources.\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "Wierzbicki") {
		t.Errorf("answered a question after :quit:\n%s", out)
	}
	if strings.Contains(out, "storybot>") {
		t.Errorf("printed a prompt when stdin is not a terminal:\n%s", out)
	}
}

func TestREPLEndsAtEOF(t *testing.T) {
	dir := cliCorpus(t)
	code, out, errOut := cliRun(t, qKeeper, "--corpus", dir) // no final newline, no :quit
	if code != 0 || errOut != "" || !strings.Contains(out, "Okafor") {
		t.Errorf("exit %d, stderr %q, stdout:\n%s", code, errOut, out)
	}
	if code, out, errOut := cliRun(t, "", "--corpus", dir); code != 0 || out != "" || errOut != "" {
		t.Errorf("empty stdin: exit %d, stdout %q, stderr %q; want 0 and nothing", code, out, errOut)
	}
}

func TestREPLBadInput(t *testing.T) {
	dir := cliCorpus(t)
	in := strings.Join([]string{
		"",
		"\x00\x07\x1b[2J",
		"\xff\xfe",
		strings.Repeat("x", 100<<10),
		"?!...",
		qBell,
	}, "\n") + "\n"
	code, out, errOut := cliRun(t, in, "--corpus", dir)
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	replies := strings.Split(out, "\n\n")
	want := []string{
		"Type a question, or :help for help.",
		"Type a question, or :help for help.",
		"Type a question, or :help for help.",
		"That question is too long: please keep it under 500 characters.",
		"That has no words in it: ask a question in plain words.",
		"twice",
	}
	if len(replies) < len(want) {
		t.Fatalf("got %d replies, want %d:\n%s", len(replies), len(want), out)
	}
	for i, w := range want {
		if !strings.Contains(replies[i], w) {
			t.Errorf("reply %d = %q, want it to hold %q", i+1, replies[i], w)
		}
	}
	if i := strings.IndexFunc(out, func(r rune) bool { return r < ' ' && r != '\n' }); i >= 0 {
		t.Errorf("output passes control character %q from the article through:\n%q", out[i], out)
	}
}

func TestREPLRejectsArguments(t *testing.T) {
	if code, _, errOut := cliRun(t, "", "--corpus", cliCorpus(t), "extra"); code != 2 || !strings.Contains(errOut, `unexpected argument "extra"`) {
		t.Errorf("exit %d, stderr %q; want 2 and the argument named", code, errOut)
	}
}

// TestLoadErrors checks every command that answers reports a corpus it
// cannot load on one line and exits 1.
func TestLoadErrors(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing")
	bad := cliCorpus(t)
	if err := os.WriteFile(filepath.Join(bad, "latin1.txt"), []byte("Caf\xe9 society\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	qs := filepath.Join(t.TempDir(), "q.jsonl")
	if err := os.WriteFile(qs, []byte(`{"id":"u","q":"x?","unanswerable":true}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []struct{ path, mention string }{{missing, "missing"}, {bad, "latin1.txt"}} {
		for _, args := range [][]string{
			{"--corpus", dir.path},
			{"ask", "--corpus", dir.path, "who?"},
			{"ask", "--json", "--corpus", dir.path, "-"},
			{"eval", "--corpus", dir.path, qs},
			{"sources", "--corpus", dir.path},
		} {
			code, out, errOut := cliRun(t, "who?\n", args...)
			if code != 1 || out != "" || strings.Count(errOut, "\n") != 1 ||
				!strings.HasPrefix(errOut, "storybot: ") || !strings.Contains(errOut, dir.mention) {
				t.Errorf("storybot %q: exit %d, stdout %q, stderr %q; want 1 and one line naming %s",
					args, code, out, errOut, dir.mention)
			}
		}
	}
}

func TestOneLineError(t *testing.T) {
	err := oneLineError{io.ErrUnexpectedEOF}
	if err.Error() != "unexpected EOF" {
		t.Errorf("Error() = %q", err.Error())
	}
	multi := oneLineError{errors.New("a.txt: bad\n\x1b[31mline two")}
	if got := multi.Error(); got != "a.txt: bad [31mline two" {
		t.Errorf("Error() = %q, want one line without control characters", got)
	}
}
