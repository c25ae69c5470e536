package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/storybot/storybot/bot"
	"github.com/storybot/storybot/bot/repl"
)

// cmdREPL runs `storybot [--corpus DIR]`: the interactive prompt on a
// terminal, or, when stdin is not a terminal, the same conversation over
// the lines of stdin without a prompt (echo question | storybot).
func cmdREPL(ctx context.Context, args []string, e env) error {
	fs := newFlags("storybot", e)
	corpus := corpusFlag(fs)
	fs.Usage = func() { fmt.Fprint(fs.Output(), usage) }
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, pos[0])
	}
	ix, err := openCorpus(*corpus, warnTo(e.stderr))
	if err != nil {
		return err
	}
	svc := bot.NewService(ix, localBotConfig(*corpus), nil)
	if e.terminal {
		return repl.New(svc, repl.WithHistory(repl.DefaultHistoryFile())).Interactive(ctx)
	}
	r := repl.New(svc, repl.WithWidth(func() int { return termColumns(e) }))
	return stdinLoopErr(r.Run(ctx, e.stdin, e.stdout))
}

// stdinLoopErr words the error of a loop over stdin stopped by a signal.
func stdinLoopErr(err error) error {
	if errors.Is(err, context.Canceled) {
		return errors.New("interrupted")
	}
	return err
}
