package main

import (
	"encoding/json"
	"fmt"

	"github.com/storybot/storybot/bot"
	"github.com/storybot/storybot/bot/repl"
	"github.com/storybot/storybot/qa"
)

// cmdStory prints a view of the whole story, view "summary", "timeline" or
// "people": storybot summary|timeline|people [--corpus DIR] [--json].
//
// With --json it prints one object:
//
//	{"kind": "summary", "answers": [{"text", "score", "source", "also_in"}, ...]}
//	{"kind": "timeline", "events": [{"date": "2025-02-12" | "2024-12" | "", "written", "text", "source", "also_in"}, ...]}
//	{"kind": "people", "people": [{"name", "role", "mentions", "text", "source"}, ...]}
func cmdStory(view string, args []string, e env) error {
	name := view
	fs := newFlags(name, e)
	corpus := corpusFlag(fs)
	asJSON := fs.Bool("json", false, "print one JSON object")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: storybot %s [--corpus DIR] [--json]\n\n%s\n\n", name, storyUsage[view])
		fs.PrintDefaults()
	}
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("%w: %s takes no arguments, got %q", errUsage, name, pos[0])
	}
	ix, err := openCorpus(*corpus, warnTo(e.stderr))
	if err != nil {
		return err
	}
	if *asJSON {
		out := storyJSON{Kind: view}
		switch view {
		case qa.StorySummary:
			out.Answers = nonNil(ix.Summary())
		case qa.StoryTimeline:
			out.Events = nonNil(ix.Timeline())
		case qa.StoryPeople:
			out.People = nonNil(ix.People())
		}
		enc := json.NewEncoder(e.stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	svc := bot.NewService(ix, bot.Config{}, nil)
	repl.New(svc, repl.WithWidth(func() int { return termColumns(e) })).Story(e.stdout, view)
	return nil
}

var storyUsage = map[string]string{
	qa.StorySummary:  "Prints the story in the 3-6 of the articles' sentences most central to it (LexRank).",
	qa.StoryTimeline: "Prints the dated events, in order, each with its source.",
	qa.StoryPeople:   "Prints who's who: every person the articles name, with the role they give.",
}

// storyJSON is what `storybot summary|timeline|people --json` prints.
type storyJSON struct {
	Kind    string      `json:"kind"`
	Answers []qa.Answer `json:"answers,omitempty"`
	Events  []qa.Event  `json:"events,omitempty"`
	People  []qa.Person `json:"people,omitempty"`
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
