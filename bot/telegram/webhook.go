package telegram

// The webhook server takes Telegram's deliveries. It reads and decodes
// each itself (go-telegram/bot's handler answers 200 to a body it could not
// read and logs a malformed body whole), queues the update and answers
// 200 at once: Telegram then counts it delivered.
//
//   - A request must come whole within webhookReadTimeout; an idle
//     keep-alive connection is closed after webhookIdleTimeout; at most
//     webhookConns(cfg) connections are open at once (more wait to be
//     accepted), so slow or idle clients cannot use up the process's files.
//   - A body over maxWebhookBody gets 413, one that is not an update 400,
//     logged by size only.
//   - From SIGTERM on, a delivery gets 503, so Telegram keeps it and
//     delivers it again; the server stays up, answering 503, until the
//     updates it took are answered or the drain time is up.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"time"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
	"golang.org/x/net/netutil"
)

const (
	maxWebhookBody     = 1 << 20
	webhookReadTimeout = 30 * time.Second
	webhookIdleTimeout = 60 * time.Second
)

// webhookConns is how many connections the webhook server keeps open at
// once: the most Telegram opens, and some for health checks and proxies.
func webhookConns(c *settings) int { return 2*c.WebhookMaxConnections + 8 }

// runWebhook sets the webhook and serves it until ctx is cancelled. Its
// server is shut down by the returned stop, once the updates are answered.
func (a *Adapter) runWebhook(ctx context.Context) (stop func(), err error) {
	ln := a.cfg.Listener
	if ln == nil {
		ln, err = net.Listen("tcp", a.cfg.WebhookListen)
		if err != nil {
			return func() {}, fmt.Errorf("telegram: webhook: %w", err)
		}
	}
	u, _ := url.Parse(a.cfg.WebhookURL)
	p := u.Path
	if p == "" {
		p = "/"
	}
	mux := http.NewServeMux()
	mux.Handle(p, http.HandlerFunc(a.serveWebhook))
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       a.timeouts.read,
		WriteTimeout:      a.timeouts.read,
		IdleTimeout:       a.timeouts.idle,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(a.log.Handler(), slog.LevelWarn),
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(netutil.LimitListener(ln, webhookConns(&a.cfg))) }()
	stop = func() {
		sctx, cancel := context.WithTimeout(context.Background(), a.cfg.RequestTimeout)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			srv.Close()
		}
	}

	_, err = a.tg.SetWebhook(ctx, &tg.SetWebhookParams{
		URL:            a.cfg.WebhookURL,
		SecretToken:    a.cfg.WebhookSecret,
		MaxConnections: a.cfg.WebhookMaxConnections,
		AllowedUpdates: allowedUpdates,
	})
	if err != nil {
		if ctx.Err() != nil {
			return stop, nil
		}
		return stop, fmt.Errorf("telegram: setWebhook: %s", a.scrubErr(err))
	}
	a.ready.Store(true)
	a.log.Info("telegram: connected", "bot", "@"+a.me.Username, "mode", "webhook",
		"listen", ln.Addr().String(), "path", p, "workers", a.cfg.Workers, "queue", a.cfg.Queue)
	select {
	case <-ctx.Done():
		return stop, nil
	case err := <-serveErr:
		return stop, fmt.Errorf("telegram: webhook server: %w", err)
	}
}

// serveWebhook takes one delivery.
func (a *Adapter) serveWebhook(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if !equalSecret(r.Header.Get("X-Telegram-Bot-Api-Secret-Token"), a.cfg.WebhookSecret) {
		a.metrics.PlatformError(platform, "webhook_secret")
		a.log.Warn("telegram: webhook request with a wrong secret token refused", "remote", r.RemoteAddr)
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	if a.stopping.Load() {
		a.shutdownRefused(w)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxWebhookBody))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		a.metrics.PlatformError(platform, "webhook_too_large")
		a.log.Warn("telegram: webhook body over the limit refused", "limit_bytes", maxWebhookBody, "remote", r.RemoteAddr)
		http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
		return
	case err != nil:
		a.log.Warn("telegram: webhook body could not be read", "bytes", len(body), "error", err)
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	var u models.Update
	if err := json.Unmarshal(body, &u); err != nil || u.ID == 0 {
		a.metrics.PlatformError(platform, "webhook_malformed")
		a.log.Warn("telegram: malformed webhook body refused", "bytes", len(body), "remote", r.RemoteAddr)
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	if !a.seen.Add(u.ID) {
		a.log.Debug("telegram: duplicate update dropped", "update_id", u.ID)
		return
	}
	if err := a.submit(&u, func(...int64) {}); err != nil {
		a.shutdownRefused(w)
	}
}

// shutdownRefused answers a delivery after SIGTERM.
func (a *Adapter) shutdownRefused(w http.ResponseWriter) {
	a.log.Info("telegram: webhook delivery after shutdown began refused with 503; Telegram delivers it again")
	w.Header().Set("Retry-After", "5")
	http.Error(w, "shutting down", http.StatusServiceUnavailable)
}
