package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"

	"github.com/storybot/storybot/bot"
	"github.com/storybot/storybot/bot/repl"
	"github.com/storybot/storybot/qa"
)

// askLineBytes is the longest line of stdin `ask -` reads whole; a longer
// line is answered with a "too long" error.
const askLineBytes = 4096

// cmdAsk answers one question, or with "-" each line of stdin:
//
//	storybot ask [--corpus DIR] [--json] QUESTION...
//	storybot ask [--corpus DIR] [--json] -
//
// The words of the question need no quotes: they are joined with spaces.
// Readable, it prints the best quote and its source. With --json it prints
// one jsonAnswer object a line, flushed line by line so a script can write a
// question and read its answer before writing the next. A line of stdin that
// holds no question still gets its object, with "error" set, so the output
// always has one line for each line of input.
func cmdAsk(ctx context.Context, args []string, e env) error {
	fs := newFlags("ask", e)
	corpus := corpusFlag(fs)
	asJSON := fs.Bool("json", false, "print one JSON object a line, for scripts")
	explain := fs.Bool("explain", false, "say why: each feature's value and share of the score, or why the question was declined")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: storybot ask [--corpus DIR] [--json] [--explain] QUESTION\n       storybot ask [--corpus DIR] [--json] [--explain] -    (one question a line from stdin)\n\n")
		fs.PrintDefaults()
	}
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return fmt.Errorf("%w: ask: no question", errUsage)
	}
	fromStdin := len(pos) == 1 && pos[0] == "-"
	question := strings.Join(pos, " ")
	ix, err := openCorpus(*corpus, warnTo(e.stderr))
	if err != nil {
		return err
	}

	// Every question goes through the Service, as in the chats.
	if !*asJSON {
		bcfg := localBotConfig(*corpus)
		bcfg.MaxAnswers = 1
		svc := bot.NewService(ix, bcfg, nil)
		width := func() int { return termColumns(e) }
		if fromStdin && !*explain {
			return stdinLoopErr(repl.New(svc, repl.WithWidth(width)).Run(ctx, e.stdin, e.stdout))
		}
		if fromStdin {
			for l, err := range repl.Lines(ctx, e.stdin, askLineBytes) {
				if err != nil {
					return stdinLoopErr(err)
				}
				explainTo(e, svc, l)
			}
			return nil
		}
		if strings.TrimSpace(question) == "" {
			return fmt.Errorf("%w: ask: the question is blank", errUsage)
		}
		if *explain {
			explainTo(e, svc, repl.Line{Text: question})
			return nil
		}
		repl.New(svc, repl.WithWidth(width), repl.WithSourcesCommand("storybot sources")).Answer(e.stdout, question)
		return nil
	}

	svc := bot.NewService(ix, localBotConfig(*corpus), nil)
	enc := json.NewEncoder(e.stdout) // unbuffered: each object is written as it is encoded
	enc.SetEscapeHTML(false)
	if !fromStdin {
		return enc.Encode(askJSON(svc, bot.ScriptQuestion{Text: question, Explain: *explain}))
	}
	// Lines that are {"q": ..., "conversation": ID} objects are followed
	// up through the Service, one conversation a script's ID, as in the
	// chats; other lines stand alone.
	for l, err := range repl.Lines(ctx, e.stdin, askLineBytes) {
		if err != nil {
			return stdinLoopErr(err)
		}
		q := bot.ScriptQuestion{Text: l.Text, Cut: l.Long, Explain: *explain}
		if text, conv, ok := conversationLine(l.Text); ok && !l.Long {
			q = bot.ScriptQuestion{Text: text, Conversation: conv}
		}
		if err := enc.Encode(askJSON(svc, q)); err != nil {
			return err
		}
	}
	return nil
}

// conversationLine reads a line of `ask --json -` that is a JSON object
// {"q": "question", "conversation": "ID"}.
func conversationLine(line string) (q, conv string, ok bool) {
	if !strings.HasPrefix(strings.TrimSpace(line), "{") {
		return "", "", false
	}
	var v struct {
		Q            string `json:"q"`
		Conversation string `json:"conversation"`
	}
	if err := json.Unmarshal([]byte(line), &v); err != nil || v.Conversation == "" {
		return "", "", false
	}
	return v.Q, v.Conversation, true
}

// jsonAnswer is what `storybot ask --json` prints for one question:
//
//	{"question": "...", "answered": true, "answers": [{"text": "...", "context": "...",
//	  "score": 0.93, "source": {"id": "...", "title": "...", "outlet": "..."}, "also_in": []}]}
//
// Answers are best first; score is the probability that the quote answers
// the question; context, when present, is the sentence before a quote that
// leans on it ("He met with…"). When the articles do not say, answered is
// false and answers is []. Error, present only then too, says why a line
// held no question to ask: blank, no words, too long. A line of stdin that
// is a JSON object {"q": "question", "conversation": "ID"} is the next turn
// of that conversation, followed up as in the chats, and its object gains
// "asked", the question as resolved. With --explain,
// "explain" holds qa.Explanation: the question's terms, each candidate's
// features and their shares of the score, and why it was declined.
type jsonAnswer struct {
	Question string          `json:"question"`
	Answered bool            `json:"answered"`
	Answers  []qa.Answer     `json:"answers"`
	Error    string          `json:"error,omitempty"`
	Asked    string          `json:"asked,omitempty"` // a conversation's turn: the question as resolved
	Explain  *qa.Explanation `json:"explain,omitempty"`
	// Kind is set for a question about the whole story ("what happened?",
	// "timeline", "who's who"): "summary" (the sentences are the answers),
	// "timeline" (events) or "people" (people), as storybot summary,
	// timeline and people print them.
	Kind   string      `json:"kind,omitempty"`
	Events []qa.Event  `json:"events,omitempty"`
	People []qa.Person `json:"people,omitempty"`
}

// explainTo prints the answer to line and why it was chosen.
func explainTo(e env, svc *bot.Service, l repl.Line) {
	repl.New(svc, repl.WithWidth(func() int { return termColumns(e) })).AnswerLine(e.stdout, l)
	if l.Long {
		return
	}
	if rep := svc.Script("ask", bot.ScriptQuestion{Text: l.Text, Explain: true}); rep.Explanation != nil {
		fmt.Fprint(e.stdout, rep.Explanation.String())
	}
}

// askJSON answers q for `ask --json` through svc: the question is checked
// and cleaned as the bots check and clean it; the answers are verbatim.
func askJSON(svc *bot.Service, q bot.ScriptQuestion) jsonAnswer {
	out := jsonAnswer{Question: q.Text, Answers: []qa.Answer{}}
	r := svc.Script("ask", q)
	out.Explain = r.Explanation
	switch r.Kind {
	case bot.TooLong:
		out.Error = fmt.Sprintf("question too long: over %d characters", svc.MaxQuestion())
	case bot.Empty:
		out.Error = "no words in the question"
		if r.Question == "" {
			out.Error = "blank question"
		}
	case bot.NotFound:
		if r.Err != nil {
			out.Error = r.Err.Error()
		}
	case bot.Answered:
		for _, a := range r.Answers {
			if a.AlsoIn == nil {
				a.AlsoIn = []qa.Source{}
			}
			if math.IsNaN(a.Score) || math.IsInf(a.Score, 0) { // JSON has no NaN
				a.Score = 0
			}
			out.Answers = append(out.Answers, a)
		}
		out.Answered = true
	case bot.Story:
		out.Answered = true
		out.Events, out.People = r.Events, r.People
	}
	out.Kind = r.Story
	if q.Conversation != "" {
		out.Asked = r.Asked
	}
	return out
}
