package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"syscall"
)

// handledSignals are the signals storybot acts on; see signalRouter.
var handledSignals = []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP}

// signalRouter decides what each signal the process gets does:
//
//   - The first SIGINT or SIGTERM cancels the command's context: the
//     command finishes what it is doing (storybot run: the answers in
//     flight, within drain_timeout) and exits as it would.
//   - A second SIGINT or SIGTERM exits at once, with 128 + the signal's
//     number (130, 143) and a log line saying what is lost.
//   - SIGHUP, once `storybot run` has started, reloads the articles
//     (reload.go) and never stops the bots: a closed terminal or a
//     `kill -HUP` meant as a reload must not kill them. For the other
//     commands it stops like SIGTERM.
//
// A nil *signalRouter does nothing: tests that call run in-process have none.
type signalRouter struct {
	cancel context.CancelFunc
	exit   func(code int)
	stderr io.Writer

	mu       sync.Mutex
	hangupOK bool         // SIGHUP is logged, not a stop
	hangup   func()       // what SIGHUP does then: reload the articles
	log      *slog.Logger // nil: plain lines on stderr
	stopping bool
}

// newSignalRouter returns a router that cancels with cancel, exits with
// exit and, until a logger is set, writes its lines to stderr.
func newSignalRouter(cancel context.CancelFunc, exit func(int), stderr io.Writer) *signalRouter {
	return &signalRouter{cancel: cancel, exit: exit, stderr: stderr}
}

// listen handles the signals sent on ch until it is closed.
func (r *signalRouter) listen(ch <-chan os.Signal) {
	for sig := range ch {
		r.handle(sig)
	}
}

// onHangup makes SIGHUP, once keepOnHangup is set, run fn (in its own
// goroutine) besides its log line.
func (r *signalRouter) onHangup(fn func()) {
	if r == nil {
		return
	}
	r.mu.Lock()
	r.hangup = fn
	r.mu.Unlock()
}

// keepOnHangup makes SIGHUP a logged no-op instead of a stop.
func (r *signalRouter) keepOnHangup() {
	if r == nil {
		return
	}
	r.mu.Lock()
	r.hangupOK = true
	r.mu.Unlock()
}

// setLogger makes the router log through log rather than plain lines.
func (r *signalRouter) setLogger(log *slog.Logger) {
	if r == nil {
		return
	}
	r.mu.Lock()
	r.log = log
	r.mu.Unlock()
}

// handle acts on one signal.
func (r *signalRouter) handle(sig os.Signal) {
	r.mu.Lock()
	defer r.mu.Unlock()
	name := signalName(sig)
	switch {
	case sig == syscall.SIGHUP && r.hangupOK:
		if r.hangup == nil {
			r.logLine(slog.LevelInfo, "SIGHUP: nothing to reload yet; carrying on", "signal", name)
			break
		}
		r.logLine(slog.LevelInfo, "SIGHUP: reloading the articles", "signal", name)
		go r.hangup()
	case !r.stopping:
		r.stopping = true
		if r.log != nil { // a plain command stops as quietly as ever
			r.log.Info("storybot: stopping: finishing the answers in flight; a second signal exits at once", "signal", name)
		}
		r.cancel()
	default:
		code := 1
		if s, ok := sig.(syscall.Signal); ok {
			code = 128 + int(s)
		}
		r.logLine(slog.LevelError, "storybot: second signal: exiting at once, without finishing what is in flight",
			"signal", name, "exit_code", code)
		r.exit(code)
	}
}

// logLine writes msg through the logger, or as a plain line with the
// attributes' values in brackets when there is none yet.
func (r *signalRouter) logLine(level slog.Level, msg string, args ...any) {
	if r.log != nil {
		r.log.Log(context.Background(), level, msg, args...)
		return
	}
	line := msg
	if !strings.HasPrefix(line, "storybot: ") {
		line = "storybot: " + line
	}
	for i := 1; i < len(args); i += 2 {
		line += fmt.Sprintf(" [%v=%v]", args[i-1], args[i])
	}
	fmt.Fprintln(r.stderr, line)
}

// signalName is the signal's usual name: SIGINT, SIGTERM, SIGHUP.
func signalName(sig os.Signal) string {
	switch sig {
	case os.Interrupt:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	case syscall.SIGHUP:
		return "SIGHUP"
	}
	return sig.String()
}
