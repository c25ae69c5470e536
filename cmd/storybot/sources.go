package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/storybot/storybot/bot"
	"github.com/storybot/storybot/qa"
)

// cmdSources lists the articles: storybot sources [--corpus DIR] [--json].
func cmdSources(args []string, e env) error {
	fs := newFlags("sources", e)
	corpus := corpusFlag(fs)
	asJSON := fs.Bool("json", false, "print a JSON array of {id, title, outlet, sentences}")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: storybot sources [--corpus DIR] [--json]\n\nLists the articles storybot answers from.\n\n")
		fs.PrintDefaults()
	}
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("%w: sources takes no arguments, got %q", errUsage, pos[0])
	}
	ix, err := openCorpus(*corpus, warnTo(e.stderr))
	if err != nil {
		return err
	}
	srcs := ix.Sources()
	if *asJSON {
		if srcs == nil {
			srcs = []qa.SourceInfo{}
		}
		enc := json.NewEncoder(e.stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		return enc.Encode(srcs)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSENTENCES\tOUTLET\tTITLE")
	total := 0
	for _, s := range srcs {
		outlet := bot.Clean(s.Outlet)
		if outlet == "" {
			outlet = "-"
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\n", bot.Clean(s.ID), s.Sentences, outlet, bot.Clean(s.Title))
		total += s.Sentences
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%d %s, %d %s\n", len(srcs), bot.Plural(len(srcs), "article", "articles"),
		total, bot.Plural(total, "sentence", "sentences"))
	return nil
}

// corpusFlag defines --corpus, which every command that answers takes.
func corpusFlag(fs *flag.FlagSet) *string {
	return fs.String("corpus", "", "answer from the .txt articles in `DIR` instead of the embedded ones")
}

// openCorpus indexes the articles in dir, or the embedded ones when dir is
// "". Its error is one line, cleaned for the terminal, whatever the loader
// put in it.
//
// warn, when not nil, is told of what loading passed over (a sub-folder,
// an unused header key) and of each article with no sentence to answer
// from, one line each, naming the file.
func openCorpus(dir string, warn func(msg string)) (*qa.Index, error) {
	ix, err := loadIndex(dir, warn)
	if err != nil {
		return nil, oneLineError{err}
	}
	if warn != nil {
		for _, s := range ix.Sources() {
			if s.Sentences == 0 {
				warn(bot.Clean(s.ID) + ".txt: no sentence to answer from")
			}
		}
	}
	return ix, nil
}

// warnTo returns a warn function for openCorpus that writes
// "storybot: warning: …" lines to w.
func warnTo(w io.Writer) func(string) {
	return func(msg string) { fmt.Fprintf(w, "storybot: warning: %s\n", bot.Clean(msg)) }
}

// oneLineError prints its error on one line, without control characters.
type oneLineError struct{ err error }

func (e oneLineError) Error() string { return bot.Clean(e.err.Error()) }
func (e oneLineError) Unwrap() error { return e.err }

// termColumns is the width to wrap readable output to when stdout is not
// known to be a terminal: $COLUMNS, or 80.
func termColumns(e env) int {
	if e.getenv != nil {
		if n, err := strconv.Atoi(strings.TrimSpace(e.getenv("COLUMNS"))); err == nil && n > 0 {
			return n
		}
	}
	return 80
}
