package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/storybot/storybot/bot"
)

// checkAnswerObject checks one line of ask --json against the documented
// schema, and returns it decoded.
func checkAnswerObject(t testing.TB, line string) jsonAnswer {
	t.Helper()
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(line), &raw); err != nil {
		t.Fatalf("not a JSON object: %v: %q", err, line)
	}
	for _, k := range []string{"question", "answered", "answers"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("object lacks %q: %s", k, line)
		}
	}
	if string(raw["answers"]) == "null" {
		t.Errorf(`"answers" is null, want []: %s`, line)
	}
	var answers []map[string]json.RawMessage
	if err := json.Unmarshal(raw["answers"], &answers); err != nil {
		t.Fatalf(`"answers" is not an array of objects: %v`, err)
	}
	for _, a := range answers {
		var keys []string
		for k := range a {
			keys = append(keys, k)
		}
		for _, k := range []string{"text", "score", "source", "also_in"} {
			if _, ok := a[k]; !ok {
				t.Errorf("answer lacks %q (has %q): %s", k, keys, line)
			}
		}
		var src map[string]string
		if err := json.Unmarshal(a["source"], &src); err != nil || len(src) != 3 ||
			src["id"] == "" || src["title"] == "" {
			t.Errorf(`"source" = %s, want {"id", "title", "outlet"}`, a["source"])
		}
		if s := string(a["also_in"]); !strings.HasPrefix(s, "[") {
			t.Errorf(`"also_in" = %s, want an array`, s)
		}
	}
	var obj jsonAnswer
	if err := json.Unmarshal([]byte(line), &obj); err != nil {
		t.Fatal(err)
	}
	if obj.Answered != (len(obj.Answers) > 0) {
		t.Errorf("answered = %v with %d answers", obj.Answered, len(obj.Answers))
	}
	return obj
}

func TestAskJSON(t *testing.T) {
	dir := cliCorpus(t)
	code, out, errOut := cliRun(t, "", "ask", "--json", "--corpus", dir, qKeeper)
	if code != 0 || errOut != "" || strings.Count(out, "\n") != 1 {
		t.Fatalf("exit %d, stderr %q, stdout %q; want one line", code, errOut, out)
	}
	obj := checkAnswerObject(t, out)
	if obj.Question != qKeeper || !obj.Answered || !strings.Contains(obj.Answers[0].Text, "Miriam Okafor") ||
		obj.Answers[0].Source.Title != "Granite tower changes hands" || obj.Answers[0].Source.Outlet != "Harbour Gazette" {
		t.Errorf("got %+v", obj)
	}
}

func TestAskJSONNotFound(t *testing.T) {
	code, out, _ := cliRun(t, "", "ask", "--corpus", cliCorpus(t), qBitcoin, "--json") // flag after the question
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	if want := `{"question":"What is the price of bitcoin?","answered":false,"answers":[]}` + "\n"; out != want {
		t.Errorf("got %s want %s", out, want)
	}
}

func TestAskJoinsWords(t *testing.T) {
	code, out, _ := cliRun(t, "", "ask", "--json", "--corpus", cliCorpus(t), "who", "is", "the", "keeper")
	if obj := checkAnswerObject(t, out); code != 0 || obj.Question != "who is the keeper" {
		t.Errorf("exit %d, question %q; want the words joined", code, obj.Question)
	}
}

func TestAskReadable(t *testing.T) {
	dir := cliCorpus(t)
	code, out, errOut := cliRun(t, "", "ask", "--corpus", dir, qKeeper)
	want := "“Miriam Okafor became the keeper of the Port Alder lighthouse in March.”\n" +
		"source:  Granite tower changes hands — Harbour Gazette\n"
	if code != 0 || errOut != "" || out != want {
		t.Errorf("exit %d, stderr %q, stdout\n%s\nwant\n%s", code, errOut, out, want)
	}

	_, out, _ = cliRun(t, "", "ask", "--corpus", dir, qBitcoin)
	if want := "I could not find that in the articles.\nTry other words, or see what they cover with storybot sources.\n"; out != want {
		t.Errorf("not found: got %q, want %q", out, want)
	}

	_, out, _ = cliRun(t, "", "ask", "--corpus", dir, qBell)
	if !strings.Contains(out, "twice") || strings.ContainsAny(out, "\x1b\x07") {
		t.Errorf("want the bell sentence without the article's escape sequences, got %q", out)
	}
}

func TestAskUsage(t *testing.T) {
	for _, args := range [][]string{{"ask"}, {"ask", "--json"}, {"ask", "--bogus", "q"}, {"ask", ""}, {"ask", " ", "\t"}} {
		if code, _, errOut := cliRun(t, "", args...); code != 2 || errOut == "" {
			t.Errorf("storybot %q: exit %d, stderr %q; want 2 and a message", args, code, errOut)
		}
	}
}

// TestAskJSONStdin checks ask --json - writes one object per input line, in
// order, and that lines which hold no question get one too, with an error.
func TestAskJSONStdin(t *testing.T) {
	in := strings.Join([]string{qKeeper, "", "?!", strings.Repeat("x", 100<<10), "\xff", qBitcoin, qTrees}, "\n") + "\n"
	code, out, errOut := cliRun(t, in, "ask", "--json", "--corpus", cliCorpus(t), "-")
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	type want struct {
		answered bool
		text     string // in the first answer
		err      string
	}
	wants := []want{
		{true, "Okafor", ""},
		{false, "", "blank question"},
		{false, "", "no words in the question"},
		{false, "", "question too long: over 500 characters"},
		{false, "", "blank question"},
		{false, "", ""},
		{true, "Wierzbicki", ""},
	}
	if len(lines) != len(wants) {
		t.Fatalf("got %d lines, want %d:\n%.2000s", len(lines), len(wants), out)
	}
	for i, w := range wants {
		obj := checkAnswerObject(t, lines[i])
		got := want{obj.Answered, "", obj.Error}
		if obj.Answered {
			got.text = obj.Answers[0].Text
		}
		if got.answered != w.answered || !strings.Contains(got.text, w.text) || got.err != w.err {
			t.Errorf("line %d: got %+v, want %+v", i+1, got, w)
		}
	}
}

// TestAskJSONStdinInterleaves plays a script that writes a question and
// reads its answer before writing the next: each object must be written as
// soon as its question is read.
func TestAskJSONStdinInterleaves(t *testing.T) {
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	done := make(chan int, 1)
	var errOut bytes.Buffer
	go func() {
		done <- run(context.Background(), []string{"ask", "--json", "--corpus", cliCorpus(t), "-"},
			env{stdin: inR, stdout: outW, stderr: &errOut, getenv: func(string) string { return "" }})
		outW.Close()
	}()
	answers := bufio.NewReader(outR)
	readLine := func() string {
		t.Helper()
		got := make(chan string, 1)
		go func() {
			line, _ := answers.ReadString('\n')
			got <- line
		}()
		select {
		case line := <-got:
			return line
		case <-time.After(10 * time.Second):
			t.Fatal("no answer line within 10s: the answer is not flushed per line")
			return ""
		}
	}
	for i, q := range []string{qKeeper, qTrees, qBitcoin} {
		fmt.Fprintln(inW, q) // returns once storybot has read it
		obj := checkAnswerObject(t, readLine())
		if obj.Question != q {
			t.Errorf("answer %d is to %q, want %q", i+1, obj.Question, q)
		}
	}
	inW.Close()
	if rest := readLine(); rest != "" {
		t.Errorf("extra output after the last question: %q", rest)
	}
	if code := <-done; code != 0 || errOut.Len() > 0 {
		t.Errorf("exit %d, stderr %q", code, errOut.String())
	}
}

func TestAskJSONEmptyListsAreArrays(t *testing.T) {
	ix, err := loadIndex("", nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(askJSON(bot.NewService(ix, bot.Config{}, nil), bot.ScriptQuestion{}))
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	json.Unmarshal(b, &got)
	want := map[string]any{"question": "", "answered": false, "answers": []any{}, "error": "blank question"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("askJSON(blank) = %s", b)
	}
}

func TestAskExplain(t *testing.T) {
	dir := cliCorpus(t)
	code, out, errOut := cliRun(t, "", "ask", "--json", "--explain", "--corpus", dir, qKeeper)
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	obj := checkAnswerObject(t, out)
	ex := obj.Explain
	if ex == nil || ex.Declined || len(ex.Candidates) == 0 {
		t.Fatalf("explain = %+v, want candidates and not declined", ex)
	}
	best := ex.Candidates[0]
	if best.Text != obj.Answers[0].Text || best.Probability != obj.Answers[0].Score {
		t.Errorf("first candidate %q p=%v, answer %q p=%v: want the same", best.Text, best.Probability, obj.Answers[0].Text, obj.Answers[0].Score)
	}
	// The shares add up to the score: the breakdown is the score.
	var sum float64
	for _, f := range best.Features {
		sum += f.Adds
	}
	if d := sum - best.Score; d > 0.01*float64(len(best.Features)) || d < -0.01*float64(len(best.Features)) {
		t.Errorf("feature shares add to %.3f, score %.3f", sum, best.Score)
	}

	_, out, _ = cliRun(t, "", "ask", "--json", "--explain", "--corpus", dir, qBitcoin)
	obj = checkAnswerObject(t, out)
	if obj.Answered || obj.Explain == nil || !obj.Explain.Declined || !strings.Contains(obj.Explain.Reason, "no sentence") {
		t.Errorf("question matching nothing: explain %+v, want the reason", obj.Explain)
	}
	// On the built-in articles, which never say how long the call was.
	_, out, _ = cliRun(t, "", "ask", "--json", "--explain", "how long was the call")
	obj = checkAnswerObject(t, out)
	if obj.Answered || obj.Explain == nil || !strings.Contains(obj.Explain.Reason, "threshold") ||
		!strings.Contains(obj.Explain.Reason, "duration") {
		t.Errorf("declined question: explain %+v, want the probability against the threshold and the missing duration", obj.Explain)
	}

	_, out, _ = cliRun(t, "", "ask", "--explain", "--corpus", dir, qKeeper)
	if !strings.Contains(out, "Miriam Okafor") || !strings.Contains(out, "rank score:") || !strings.Contains(out, "bm25") {
		t.Errorf("readable explain: %q", out)
	}
}

// TestAskJSONConversations: lines with the same conversation ID are one
// person's chat, followed up as in the chats; other IDs and plain lines
// stand alone.
func TestAskJSONConversations(t *testing.T) {
	in := `{"q": "who keeps the Port Alder lighthouse", "conversation": "x"}
{"q": "when did she start?", "conversation": "y"}
{"q": "when did she start?", "conversation": "x"}
when did she start?
`
	code, out, errOut := cliRun(t, in, "ask", "--json", "--corpus", cliCorpus(t), "-")
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d lines for 4 questions: %q", len(lines), out)
	}
	var objs []jsonAnswer
	for _, l := range lines {
		objs = append(objs, checkAnswerObject(t, l))
	}
	holds := func(o jsonAnswer, s string) bool { return o.Answered && strings.Contains(o.Answers[0].Text, s) }
	if !holds(objs[2], "in March") || !strings.Contains(objs[2].Asked, "alder") {
		t.Errorf("the follow-up in conversation x: %+v, want the March sentence, asked about Port Alder", objs[2])
	}
	if holds(objs[1], "in March") || holds(objs[3], "in March") {
		t.Errorf("a question with no conversation before it was followed up: %+v, %+v", objs[1], objs[3])
	}
	if objs[3].Asked != "" || objs[2].Question != "when did she start?" {
		t.Errorf("plain line asked %q; conversation line question %q", objs[3].Asked, objs[2].Question)
	}
}

// TestAskJSONConversationLinesAreChecked: a conversation line's question
// is checked as a plain line's is, with the same errors.
func TestAskJSONConversationLinesAreChecked(t *testing.T) {
	in := `{"q": "", "conversation": "x"}
{"q": "?!", "conversation": "x"}
{"q": "` + strings.Repeat("x", 501) + `", "conversation": "x"}
{"q": "who\u0000 keeps the Port\u200b Alder lighthouse", "conversation": "x"}
`
	code, out, errOut := cliRun(t, in, "ask", "--json", "--corpus", cliCorpus(t), "-")
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	want := []string{"blank question", "no words in the question", "question too long: over 500 characters", ""}
	if len(lines) != len(want) {
		t.Fatalf("%d lines for %d questions: %q", len(lines), len(want), out)
	}
	for i, w := range want {
		if obj := checkAnswerObject(t, lines[i]); obj.Error != w || (w == "" && !obj.Answered) {
			t.Errorf("line %d: %+v, want error %q", i+1, obj, w)
		}
	}
}
