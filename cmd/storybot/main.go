// Command storybot answers questions about a news story with sentences quoted
// from its articles: in a terminal, once from the command line, over a
// question set for evaluation, or as a Discord and Telegram bot.
//
// Usage:
//
//	storybot [--corpus DIR]                   interactive prompt
//	storybot ask [--corpus DIR] [--json] Q    answer one question (- reads stdin)
//	storybot eval [--corpus DIR] [-v] FILE... score question sets
//	storybot sources [--corpus DIR]           list the articles
//	storybot run --config FILE                run the chat bots
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/storybot/storybot/qa"
	"github.com/storybot/storybot/seeds"
)

// env is the process's outside world, so tests can drive run in-process.
type env struct {
	stdin    io.Reader
	stdout   io.Writer
	stderr   io.Writer
	getenv   func(string) string
	terminal bool          // stdin and stdout are a terminal
	signals  *signalRouter // nil in tests that call run in-process
}

func main() {
	ctx, cancel := context.WithCancel(context.Background())
	signals := newSignalRouter(cancel, os.Exit, os.Stderr)
	ch := make(chan os.Signal, 4)
	signal.Notify(ch, handledSignals...)
	go signals.listen(ch)
	code := run(ctx, os.Args[1:], env{
		stdin:    os.Stdin,
		stdout:   os.Stdout,
		stderr:   os.Stderr,
		getenv:   os.Getenv,
		terminal: isTerminal(os.Stdin) && isTerminal(os.Stdout),
		signals:  signals,
	})
	cancel()
	os.Exit(code)
}

const usage = `storybot answers questions about a news story with quotes from its articles.

Usage:
  storybot [--corpus DIR]                     ask in an interactive prompt
  storybot ask [--corpus DIR] [--json] QUESTION
                                              answer one question; "-" reads one per line from stdin
  storybot eval [--corpus DIR] [-v] [--json] FILE.jsonl...
                                              score question sets (hit@1, hit@3, MRR@5, refusals)
  storybot sources [--corpus DIR] [--json]    list the articles
  storybot summary|timeline|people [--corpus DIR] [--json]
                                              the story in a few sentences, its dated events, who's who
  storybot run --config FILE                  run the Discord and Telegram bots

Without --corpus, storybot answers from its embedded articles.
`

// errUsage marks an error in the command line: exit code 2.
var errUsage = errors.New("usage")

// run executes one command line and returns the process exit code.
func run(ctx context.Context, args []string, e env) int {
	cmd, rest := "", args
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, rest = args[0], args[1:]
	}
	var err error
	switch cmd {
	case "":
		err = cmdREPL(ctx, rest, e)
	case "ask":
		err = cmdAsk(ctx, rest, e)
	case "eval":
		err = cmdEval(ctx, rest, e)
	case "sources":
		err = cmdSources(rest, e)
	case "summary", "timeline":
		err = cmdStory(cmd, rest, e)
	case "people":
		err = cmdStory("people", rest, e)
	case "run":
		err = cmdRun(ctx, rest, e)
	case "help":
		fmt.Fprint(e.stdout, usage)
	default:
		err = fmt.Errorf("%w: unknown command %q", errUsage, cmd)
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintf(e.stderr, "storybot: %v\n\n%s", err, usage)
		return 2
	default:
		fmt.Fprintf(e.stderr, "storybot: %v\n", err)
		return 1
	}
}

// newFlags returns a FlagSet for a subcommand that prints its errors to e.stderr.
func newFlags(name string, e env) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	return fs
}

// parseFlags parses args, allowing flags after positional arguments
// (storybot ask "question" --json), and wraps errors as usage errors.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, fmt.Errorf("%w: %v", errUsage, err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// loadIndex indexes the articles in dir, or the embedded seeds when dir is "".
func loadIndex(dir string, warn func(string)) (*qa.Index, error) {
	var (
		arts []qa.Article
		err  error
	)
	if dir == "" {
		arts, err = qa.LoadFS(seeds.FS)
	} else {
		arts, err = qa.LoadDirWarn(dir, warn)
	}
	if err != nil {
		return nil, err
	}
	return qa.NewIndex(arts)
}

func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
