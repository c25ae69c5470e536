package main

// storybot run: the chat bots.
//
// cmdRun reads the config, sets up logging, indexes the articles, builds
// every adapter the config enables (adapterBuilders) and runs them side by
// side with the optional [http] listener, which serves /healthz (200 once
// every adapter is connected, 503 before and while stopping) and /metrics
// (Prometheus text format). When ctx is cancelled (SIGINT, SIGTERM) each
// adapter stops taking events, finishes the answers in flight and returns;
// then run exits 0. When an adapter cannot start (a rejected token, say),
// the others are cancelled and run exits 1 with that error on one line.
// Nothing here knows a platform: a new one only adds an adapterBuilder.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/storybot/storybot/bot"
)

// cmdRun runs `storybot run --config FILE`.
func cmdRun(ctx context.Context, args []string, e env) error {
	fs := newFlags("run", e)
	path := fs.String("config", "", "read settings from the TOML `file` (see config.example.toml)")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("%w: run takes no arguments, got %q", errUsage, rest[0])
	}
	if *path == "" {
		return fmt.Errorf("%w: run needs --config FILE", errUsage)
	}
	cfg, err := LoadConfig(*path, e.getenv)
	if err != nil {
		return err
	}
	secrets := cfg.secrets()
	err = runBots(ctx, cfg, *path, e.stderr)
	if err != nil {
		return redactedError{err, secrets}
	}
	return nil
}

// runBots runs every adapter cfg enables until ctx is cancelled.
func runBots(ctx context.Context, cfg Config, path string, logw io.Writer) error {
	log, err := newLogger(cfg.Log, logw, cfg.secrets())
	if err != nil {
		return fmt.Errorf("config %s: %w", path, err)
	}
	ix, err := openCorpus(cfg.Corpus)
	if err != nil {
		return err
	}
	metrics := newPromMetrics()
	svc := bot.NewService(ix, cfg.Bot.Service(cfg.Corpus), metrics)
	var adapters []bot.Adapter
	for _, build := range adapterBuilders {
		a, err := build(cfg, svc, log)
		if err != nil {
			return err
		}
		if a != nil {
			adapters = append(adapters, a)
		}
	}
	if len(adapters) == 0 {
		return fmt.Errorf("config %s enables no bot: set enabled = true under [telegram] or [discord]", path)
	}
	return serve(ctx, log, cfg.HTTP, metrics.Handler(), adapters)
}

// serve runs adapters and the HTTP listener until ctx is cancelled or an
// adapter fails, and returns the first adapter error.
func serve(ctx context.Context, log *slog.Logger, hc HTTPConfig, metrics http.Handler, adapters []bot.Adapter) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	var srv *http.Server
	if hc.Listen != "" {
		ln, err := net.Listen("tcp", hc.Listen)
		if err != nil {
			return fmt.Errorf("http: %w", err)
		}
		mux := http.NewServeMux()
		mux.Handle("GET /healthz", healthz(adapters))
		mux.Handle("GET /metrics", metrics)
		srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second,
			ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
		go func() {
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				log.Error("http: serve failed", "error", err)
			}
		}()
		log.Info("http: listening", "addr", ln.Addr().String(), "paths", "/healthz /metrics")
	}

	type result struct {
		name string
		err  error
	}
	results := make(chan result, len(adapters))
	names := make([]string, len(adapters))
	for i, a := range adapters {
		names[i] = a.Name()
		go func() { results <- result{a.Name(), a.Run(ctx)} }()
	}
	log.Info("storybot: running", "bots", strings.Join(names, ","))

	var first error
	for range adapters {
		r := <-results
		err := r.err
		if err == nil && ctx.Err() == nil {
			err = errors.New("stopped by itself")
		}
		if err == nil {
			continue
		}
		if !strings.HasPrefix(err.Error(), r.name+":") {
			err = fmt.Errorf("%s: %w", r.name, err)
		}
		if first == nil {
			first = err
			if ctx.Err() == nil {
				log.Info("storybot: stopping the other bots", "because", r.name)
			}
			cancel()
		} else {
			log.Error("storybot: bot failed", "bot", r.name, "error", err)
		}
	}
	if srv != nil {
		sctx, scancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer scancel()
		srv.Shutdown(sctx)
	}
	if first == nil {
		log.Info("storybot: stopped")
	}
	return first
}

// healthz answers 200 once every adapter is ready, else 503 naming those
// that are not.
func healthz(adapters []bot.Adapter) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var down []string
		for _, a := range adapters {
			if !a.Ready() {
				down = append(down, a.Name())
			}
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		if len(down) > 0 {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintf(w, "not ready: %s\n", strings.Join(down, ", "))
			return
		}
		fmt.Fprintln(w, "ok")
	})
}

// newLogger returns a logger writing one event a line to w, in c's format
// and from c's level, with every secret replaced by "***".
func newLogger(c LogConfig, w io.Writer, secrets []string) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.Level)); err != nil {
		return nil, fmt.Errorf("[log] level %q: want debug, info, warn or error", c.Level)
	}
	opts := &slog.HandlerOptions{Level: level, ReplaceAttr: redactAttr(secrets)}
	switch strings.ToLower(c.Format) {
	case "text", "":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("[log] format %q: want text or json", c.Format)
}

// redactAttr returns a slog ReplaceAttr function that blanks secrets in
// every string, error or other value, the message included.
func redactAttr(secrets []string) func([]string, slog.Attr) slog.Attr {
	secrets = slices.DeleteFunc(slices.Clone(secrets), func(s string) bool { return s == "" })
	if len(secrets) == 0 {
		return nil
	}
	return func(_ []string, a slog.Attr) slog.Attr {
		switch a.Value.Kind() {
		case slog.KindString:
			a.Value = slog.StringValue(redact(a.Value.String(), secrets))
		case slog.KindAny:
			var s string
			if err, ok := a.Value.Any().(error); ok {
				s = err.Error()
			} else {
				s = fmt.Sprintf("%+v", a.Value.Any())
			}
			if r := redact(s, secrets); r != s {
				a.Value = slog.StringValue(r)
			} else if _, ok := a.Value.Any().(error); ok {
				a.Value = slog.StringValue(s)
			}
		}
		return a
	}
}

func redact(s string, secrets []string) string {
	for _, v := range secrets {
		s = strings.ReplaceAll(s, v, "***")
	}
	return s
}

// secrets returns the config's tokens and secrets, for redaction.
func (c Config) secrets() []string {
	return []string{c.Telegram.Token, c.Telegram.WebhookSecret, c.Discord.Token}
}

// redactedError prints err on one line with every secret replaced.
type redactedError struct {
	err     error
	secrets []string
}

func (e redactedError) Error() string {
	return redact(bot.Clean(e.err.Error()), slices.DeleteFunc(slices.Clone(e.secrets), func(s string) bool { return s == "" }))
}

func (e redactedError) Unwrap() error { return e.err }
