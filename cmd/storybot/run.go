package main

// storybot run: the chat bots.
//
// cmdRun reads the config, sets up logging, indexes the articles, builds
// every adapter the config enables (adapterBuilders) and runs them side by
// side with the optional [http] listener, which serves /healthz (200 once
// every adapter is connected, 503 before and while stopping) and /metrics
// (Prometheus text format). When ctx is cancelled (SIGINT, SIGTERM) each
// adapter stops taking events, finishes the answers in flight and returns;
// then run exits 0. A second SIGINT or SIGTERM exits at once, and SIGHUP is
// logged and ignored (see signalRouter). When an adapter cannot start (a rejected token, say),
// the others are cancelled and run exits 1 with that error on one line.
// Nothing here knows a platform: a new one only adds an adapterBuilder.

import (
	"context"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"golang.org/x/net/netutil"

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
	e.signals.keepOnHangup()
	cfg, err := LoadConfig(ctx, *path, e.getenv)
	if err != nil {
		// The file's tokens are unknown when it cannot be read; the
		// environment's are known.
		return redactedError{err, envSecrets(e.getenv)}
	}
	secrets := cfg.secrets()
	err = runBots(ctx, cfg, *path, e.stderr, e.signals)
	if err != nil {
		return redactedError{err, secrets}
	}
	return nil
}

// runBots runs every adapter cfg enables until ctx is cancelled.
func runBots(ctx context.Context, cfg Config, path string, logw io.Writer, signals *signalRouter) error {
	log, err := newLogger(cfg.Log, logw, cfg.secrets())
	if err != nil {
		return fmt.Errorf("config %s: %w", path, err)
	}
	signals.setLogger(log)
	ix, err := openCorpus(cfg.Corpus, func(msg string) { log.Warn("articles: " + msg) })
	if err != nil {
		return err
	}
	articles := newCorpus(cfg.Corpus, ix, log)
	signals.onHangup(func() { articles.reload("SIGHUP") })
	go articles.watch(ctx)
	metrics := newPromMetrics()
	svc := bot.NewService(articles, cfg.Bot.Service(cfg.Corpus), metrics)
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
		srv = startHTTP(ln, defaultHTTPLimits, mux, log)
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

// httpLimits bounds what the clients of the [http] listener can hold.
type httpLimits struct {
	readHeader time.Duration // to read a request's headers
	read       time.Duration // to read a whole request
	write      time.Duration // to write a response
	idle       time.Duration // a keep-alive connection may wait for its next request
	maxHeader  int           // bytes of request headers
	maxConns   int           // connections open at once; more wait to be accepted
}

// defaultHTTPLimits suit /healthz and /metrics: small GET requests from a
// few probes and scrapers. 32 idle keep-alive connections hold every slot
// for at most 30 s; slow clients, for at most 10 s.
var defaultHTTPLimits = httpLimits{
	readHeader: 10 * time.Second,
	read:       10 * time.Second,
	write:      30 * time.Second,
	idle:       30 * time.Second,
	maxHeader:  16 << 10,
	maxConns:   32,
}

// startHTTP serves h on ln within lim until the returned server is shut
// down.
func startHTTP(ln net.Listener, lim httpLimits, h http.Handler, log *slog.Logger) *http.Server {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: lim.readHeader,
		ReadTimeout:       lim.read,
		WriteTimeout:      lim.write,
		IdleTimeout:       lim.idle,
		MaxHeaderBytes:    lim.maxHeader,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	go func() {
		if err := srv.Serve(netutil.LimitListener(ln, lim.maxConns)); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("http: serve failed", "error", err)
		}
	}()
	return srv
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

// redactAttr returns a slog ReplaceAttr function that blanks secrets, in
// every form bot.Redactor knows, in every string, error or other value, the
// message included.
func redactAttr(secrets []string) func([]string, slog.Attr) slog.Attr {
	r := bot.NewRedactor(secrets...)
	if r.Empty() {
		return nil
	}
	return func(_ []string, a slog.Attr) slog.Attr {
		switch a.Value.Kind() {
		case slog.KindString:
			a.Value = slog.StringValue(r.Redact(a.Value.String()))
		case slog.KindAny:
			v := a.Value.Any()
			if err, ok := v.(error); ok {
				a.Value = slog.StringValue(r.Redact(err.Error()))
				break
			}
			// The text handler writes v with MarshalText or %+v, the JSON
			// handler with json.Marshal: when any of them would show a
			// secret, v is logged as the redacted %+v.
			s := fmt.Sprintf("%+v", v)
			if red := r.Redact(s); red != s || anyRenderingHolds(v, r) {
				a.Value = slog.StringValue(red)
			}
		}
		return a
	}
}

// anyRenderingHolds reports whether v as JSON or as text (MarshalText)
// holds a secret r hides.
func anyRenderingHolds(v any, r *bot.Redactor) bool {
	var out []string
	if b, err := json.Marshal(v); err == nil {
		out = append(out, string(b))
		// json.Marshal escapes <, > and & and quotes; undo that too.
		var unq string
		if json.Unmarshal(b, &unq) == nil {
			out = append(out, unq)
		}
	}
	if m, ok := v.(encoding.TextMarshaler); ok {
		if b, err := m.MarshalText(); err == nil {
			out = append(out, string(b))
		}
	}
	for _, s := range out {
		if r.Redact(s) != s {
			return true
		}
	}
	return false
}

// secrets returns the config's tokens and secrets, for redaction.
func (c Config) secrets() []string {
	return []string{c.Telegram.Token, c.Telegram.WebhookSecret, c.Discord.Token}
}

// envSecrets returns the tokens and secrets the environment holds, as they
// are and trimmed, for redacting an error met before the config is read.
func envSecrets(getenv func(string) string) []string {
	var out []string
	for _, k := range []string{"STORYBOT_TELEGRAM_TOKEN", "STORYBOT_TELEGRAM_WEBHOOK_SECRET", "STORYBOT_DISCORD_TOKEN"} {
		v := getenv(k)
		out = append(out, v, trimSecret(v))
	}
	return out
}

// redactedError prints err on one line with every secret, in every form
// bot.Redactor knows, replaced by "***".
type redactedError struct {
	err     error
	secrets []string
}

func (e redactedError) Error() string {
	r := bot.NewRedactor(e.secrets...)
	// Redact before and after Clean: a form with a line break in it is
	// found before Clean makes it a space, and one that Clean's removal of
	// invisible characters completes, after.
	return r.Redact(bot.Clean(r.Redact(e.err.Error())))
}

func (e redactedError) Unwrap() error { return e.err }
