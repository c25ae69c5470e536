// Package telegram is storybot's Telegram adapter: it receives updates from
// the Bot API (long polling or a webhook) through go-telegram/bot, turns
// each into a plain question for bot.Service, and renders the reply as
// Telegram HTML.
//
// Updates are handled at most Queue at a time by Workers goroutines, in
// order within a chat (see dispatch.go). In polling mode an update is
// answered exactly once across a clean restart: at shutdown the adapter
// stops polling, finishes every update it took, then confirms the offset
// of the last one with the Bot API and, when StateFile is set, saves it.
package telegram

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/storybot/storybot/bot"
)

const platform = "telegram"

// Config configures an Adapter. Zero values take the defaults noted.
type Config struct {
	Token  string // required
	APIURL string // default https://api.telegram.org

	Mode        string        // "polling" (default) or "webhook"
	PollTimeout time.Duration // long-poll timeout; default 30s, at least 2s

	WebhookListen         string       // address the webhook server listens on; default ":8443"
	WebhookURL            string       // public HTTPS URL Telegram posts to; required in webhook mode
	WebhookSecret         string       // secret token Telegram sends back; required in webhook mode
	WebhookMaxConnections int          // Telegram's max_connections; default 40
	Listener              net.Listener // if set, the webhook server uses it instead of WebhookListen

	StateFile string // polling: file the offset is kept in across restarts; empty: none

	Workers        int           // updates answered at once; default 8
	Queue          int           // updates held (queued or being answered); default 32 per worker
	RequestTimeout time.Duration // one Bot API request; default 30s
	MaxRetries     int           // retries of a failed request; default 5
	MaxRetryAfter  time.Duration // longest 429 retry_after waited; default 60s
	DrainTimeout   time.Duration // at shutdown, time allowed to finish answers; default 20s
	TypingAfter    time.Duration // show "typing…" when an answer takes longer; default 1s, negative: never

	RetryBackoff    time.Duration // first back-off after an error; default 500ms
	RetryBackoffMax time.Duration // longest back-off; default 30s
}

// ErrNoToken is returned by New without a token.
var ErrNoToken = errors.New("no bot token: set STORYBOT_TELEGRAM_TOKEN")

var secretRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

func (c *Config) defaults() error {
	if strings.TrimSpace(c.Token) == "" {
		return ErrNoToken
	}
	if c.APIURL == "" {
		c.APIURL = "https://api.telegram.org"
	}
	c.APIURL = strings.TrimRight(c.APIURL, "/")
	if u, err := url.Parse(c.APIURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("api_url %q is not an http(s) URL", c.APIURL)
	}
	if c.Mode == "" {
		c.Mode = "polling"
	}
	switch c.Mode {
	case "polling":
	case "webhook":
		u, err := url.Parse(c.WebhookURL)
		if c.WebhookURL == "" || err != nil || u.Host == "" {
			return errors.New("webhook mode needs webhook_url, the public URL Telegram posts updates to")
		}
		if !secretRE.MatchString(c.WebhookSecret) {
			return errors.New("webhook mode needs a webhook secret of 1-256 letters, digits, _ or -: set STORYBOT_TELEGRAM_WEBHOOK_SECRET")
		}
		if c.WebhookListen == "" {
			c.WebhookListen = ":8443"
		}
	default:
		return fmt.Errorf("mode %q: want polling or webhook", c.Mode)
	}
	if c.PollTimeout <= 0 {
		c.PollTimeout = 30 * time.Second
	}
	c.PollTimeout = max(c.PollTimeout, 2*time.Second)
	if c.WebhookMaxConnections <= 0 {
		c.WebhookMaxConnections = 40
	}
	if c.Workers <= 0 {
		c.Workers = 8
	}
	if c.Queue <= 0 {
		c.Queue = 32 * c.Workers
	}
	c.Queue = max(c.Queue, c.Workers)
	if c.RequestTimeout <= 0 {
		c.RequestTimeout = 30 * time.Second
	}
	if c.MaxRetries < 0 {
		c.MaxRetries = 0
	} else if c.MaxRetries == 0 {
		c.MaxRetries = 5
	}
	if c.MaxRetryAfter <= 0 {
		c.MaxRetryAfter = 60 * time.Second
	}
	if c.DrainTimeout <= 0 {
		c.DrainTimeout = 20 * time.Second
	}
	if c.TypingAfter == 0 {
		c.TypingAfter = time.Second
	}
	if c.RetryBackoff <= 0 {
		c.RetryBackoff = 500 * time.Millisecond
	}
	if c.RetryBackoffMax <= 0 {
		c.RetryBackoffMax = 30 * time.Second
	}
	c.RetryBackoffMax = max(c.RetryBackoffMax, c.RetryBackoff)
	c.MaxRetryAfter = max(c.MaxRetryAfter, c.RetryBackoffMax)
	return nil
}

// Adapter is the Telegram bot. It implements bot.Adapter.
type Adapter struct {
	svc     *bot.Service
	cfg     Config
	log     *slog.Logger
	metrics bot.Metrics
	client  *apiClient
	scrub   func(string) string

	ready   atomic.Bool
	running atomic.Bool
	stopRun atomic.Pointer[context.CancelCauseFunc] // ends Run with an error

	// set by Run before any update is handled
	tg   *tg.Bot
	me   models.User
	hard context.Context // for replies; cancelled when the drain time is up
	disp *dispatcher
	seen *bot.Seen[int64]
	base int64 // updates up to this ID were handled by an earlier run
}

// New returns an Adapter answering with svc. It checks cfg but does not
// connect: Run does.
func New(svc *bot.Service, cfg Config, log *slog.Logger) (*Adapter, error) {
	if err := cfg.defaults(); err != nil {
		return nil, fmt.Errorf("telegram: %w", err)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	a := &Adapter{svc: svc, cfg: cfg, log: log, metrics: svc.Metrics()}
	secrets := []string{cfg.Token, cfg.WebhookSecret}
	a.scrub = func(s string) string {
		for _, v := range secrets {
			if v != "" {
				s = strings.ReplaceAll(s, v, "***")
			}
		}
		return s
	}
	a.client = &apiClient{
		http:           &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()},
		pollTimeout:    cfg.PollTimeout,
		requestTimeout: cfg.RequestTimeout,
		maxRetries:     cfg.MaxRetries,
		maxRetryAfter:  cfg.MaxRetryAfter,
		backoff:        backoff{cfg.RetryBackoff, cfg.RetryBackoffMax},
		log:            log,
		platformError:  func(kind string) { a.metrics.PlatformError(platform, kind) },
	}
	return a, nil
}

// Name implements bot.Adapter.
func (a *Adapter) Name() string { return platform }

// Ready reports whether the bot is connected and taking updates.
func (a *Adapter) Ready() bool { return a.ready.Load() }

// Run connects to the Bot API and answers updates until ctx is cancelled.
// Then it stops taking updates, finishes those it took (for at most
// DrainTimeout), confirms the polling offset and returns nil. It returns an
// error when it cannot start: a rejected token, an unreachable API, a
// webhook that cannot be set or listened on.
func (a *Adapter) Run(ctx context.Context) error {
	if !a.running.CompareAndSwap(false, true) {
		return errors.New("telegram: already running")
	}
	defer a.running.Store(false)

	hard, cancelHard := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelHard()
	a.hard = hard

	base, err := a.loadState()
	if err != nil {
		return fmt.Errorf("telegram: %w", err)
	}
	a.base = base
	a.seen = bot.NewSeen[int64](4 * a.cfg.Queue)

	b, err := tg.New(a.cfg.Token,
		tg.WithServerURL(a.cfg.APIURL),
		tg.WithSkipGetMe(),
		tg.WithHTTPClient(a.cfg.PollTimeout, a.client),
		tg.WithWorkers(1),
		tg.WithNotAsyncHandlers(),
		tg.WithUpdatesChannelCap(0),
		tg.WithDefaultHandler(a.accept),
		tg.WithErrorsHandler(a.libError),
		tg.WithDebugHandler(func(string, ...any) {}),
		tg.WithAllowedUpdates(allowedUpdates),
		tg.WithInitialOffset(base),
		tg.WithWebhookSecretToken(a.cfg.WebhookSecret), // checked again by the library
	)
	if err != nil {
		return fmt.Errorf("telegram: %s", a.scrub(err.Error()))
	}
	a.tg = b

	me, err := b.GetMe(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		if errors.Is(err, tg.ErrorUnauthorized) || errors.Is(err, tg.ErrorNotFound) {
			return errors.New("telegram: the Bot API rejected the token: check STORYBOT_TELEGRAM_TOKEN")
		}
		return fmt.Errorf("telegram: cannot reach the Bot API at %s: %s", a.cfg.APIURL, a.scrubErr(err))
	}
	a.me = *me
	a.setCommands(ctx)

	a.disp = newDispatcher(a.cfg.Workers, a.cfg.Queue, base)
	// runCtx ends with ctx, or when the token is revoked while running.
	runCtx, stopRun := context.WithCancelCause(ctx)
	defer stopRun(nil)
	a.stopRun.Store(&stopRun)
	persistDone := a.persist(runCtx)
	// The drain time counts from the moment shutdown begins, even while
	// the poller or the webhook still waits to hand over an update to a
	// full dispatcher: answers waiting out a long retry_after must not hold
	// the process past it.
	var (
		drainOnce  sync.Once
		drainTimer *time.Timer
	)
	startDrain := func() {
		drainOnce.Do(func() {
			drainTimer = time.AfterFunc(a.cfg.DrainTimeout, func() {
				if n := a.disp.pending(); n > 0 {
					a.log.Error("telegram: drain time is up; abandoning unfinished answers; they are not confirmed, so a restart gets those Telegram still holds",
						"unfinished", n, "drain_timeout", a.cfg.DrainTimeout.String())
				}
				cancelHard()
			})
		})
	}
	stopDrainClock := context.AfterFunc(runCtx, startDrain)
	defer stopDrainClock()

	var served error
	if a.cfg.Mode == "webhook" {
		served = a.runWebhook(runCtx)
	} else {
		a.runPolling(runCtx)
	}
	a.ready.Store(false)
	if ctx.Err() == nil && served == nil {
		served = context.Cause(runCtx)
	}

	// Stopped taking updates: finish those taken.
	startDrain()
	a.disp.close()
	<-a.disp.wait()
	drainTimer.Stop()
	<-persistDone
	if a.cfg.Mode == "polling" {
		a.confirm()
	}
	a.log.Info("telegram: stopped", "last_update_id", a.disp.watermark())
	return served
}

var allowedUpdates = []string{models.AllowedUpdateMessage, models.AllowedUpdateInlineQuery}

// runPolling polls until ctx is cancelled.
func (a *Adapter) runPolling(ctx context.Context) {
	if _, err := a.tg.DeleteWebhook(ctx, &tg.DeleteWebhookParams{}); err != nil && ctx.Err() == nil {
		a.apiFailed("deleteWebhook", err)
	}
	a.ready.Store(true)
	a.log.Info("telegram: connected", "bot", "@"+a.me.Username, "mode", "polling",
		"workers", a.cfg.Workers, "queue", a.cfg.Queue, "offset", a.base)
	a.tg.Start(ctx) // returns once ctx is done and the update it held is taken
}

// runWebhook sets the webhook and serves it until ctx is cancelled.
func (a *Adapter) runWebhook(ctx context.Context) error {
	ln := a.cfg.Listener
	if ln == nil {
		var err error
		ln, err = net.Listen("tcp", a.cfg.WebhookListen)
		if err != nil {
			return fmt.Errorf("telegram: webhook: %w", err)
		}
	}
	u, _ := url.Parse(a.cfg.WebhookURL)
	p := u.Path
	if p == "" {
		p = "/"
	}
	mux := http.NewServeMux()
	mux.Handle(p, a.webhookHandler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(a.log.Handler(), slog.LevelWarn)}
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()

	// The library's workers move webhook updates to accept; they stop
	// only after the server has finished its requests.
	libCtx, stopLib := context.WithCancel(context.WithoutCancel(ctx))
	libDone := make(chan struct{})
	go func() {
		a.tg.StartWebhook(libCtx)
		close(libDone)
	}()
	stop := func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), a.cfg.DrainTimeout)
		defer cancel()
		srv.Shutdown(sctx)
		stopLib()
		<-libDone
	}

	_, err := a.tg.SetWebhook(ctx, &tg.SetWebhookParams{
		URL:            a.cfg.WebhookURL,
		SecretToken:    a.cfg.WebhookSecret,
		MaxConnections: a.cfg.WebhookMaxConnections,
		AllowedUpdates: allowedUpdates,
	})
	if err != nil {
		stop()
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("telegram: setWebhook: %s", a.scrubErr(err))
	}
	a.ready.Store(true)
	a.log.Info("telegram: connected", "bot", "@"+a.me.Username, "mode", "webhook",
		"listen", ln.Addr().String(), "path", p, "workers", a.cfg.Workers, "queue", a.cfg.Queue)
	var failed error
	select {
	case <-ctx.Done():
	case err := <-serveErr:
		failed = fmt.Errorf("telegram: webhook server: %w", err)
	}
	a.ready.Store(false)
	stop()
	return failed
}

// webhookHandler checks the secret token, then hands the request to the
// library's webhook handler, which queues the update and returns once it
// is taken, so Telegram gets 200 only for an update the bot holds.
func (a *Adapter) webhookHandler() http.Handler {
	lib := a.tg.WebhookHandler()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
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
		r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
		lib(w, r)
	})
}

// accept is the library's handler for every update: it drops duplicates
// and queues the rest, waiting while the dispatcher is full.
func (a *Adapter) accept(_ context.Context, _ *tg.Bot, u *models.Update) {
	if u.ID <= a.base || !a.seen.Add(u.ID) {
		a.log.Debug("telegram: duplicate update dropped", "update_id", u.ID)
		return
	}
	key := int64(0)
	switch {
	case u.Message != nil:
		key = u.Message.Chat.ID
	case u.InlineQuery != nil && u.InlineQuery.From != nil:
		key = u.InlineQuery.From.ID
	}
	run := func() bool {
		a.handle(u)
		return a.hard.Err() == nil // else its answer may not have gone out
	}
	if !a.disp.push(job{id: u.ID, key: key, run: run}) {
		a.log.Error("telegram: update arrived after shutdown; not answered", "update_id", u.ID)
	}
}

// libError logs an error the library reports (getUpdates failures and the
// like). apiClient has already logged and counted API failures.
func (a *Adapter) libError(err error) {
	switch {
	case errors.Is(err, tg.ErrorConflict):
		return // apiClient logged it
	case strings.Contains(err.Error(), "ctx done"):
		// Polling stopped with updates not yet taken: they were not
		// confirmed, so the Bot API delivers them again next time.
		a.log.Debug("telegram: polling stopped before taking every update", "detail", a.scrubErr(err))
		return
	case errors.Is(err, tg.ErrorUnauthorized):
		// The token was revoked while running: stop, as at start.
		a.metrics.PlatformError(platform, "unauthorized")
		if stop := a.stopRun.Load(); stop != nil {
			(*stop)(errors.New("telegram: the Bot API rejected the token while running: check STORYBOT_TELEGRAM_TOKEN"))
		}
	default:
		a.log.Warn("telegram: bot api error", "error", a.scrubErr(err))
	}
}

// apiFailed logs a failed Bot API call that will not be retried.
func (a *Adapter) apiFailed(method string, err error, attrs ...any) {
	if errors.Is(err, context.Canceled) {
		a.metrics.PlatformError(platform, "cancelled")
		a.log.Error("telegram: "+method+" abandoned at shutdown", attrs...)
		return
	}
	kind := "api_error"
	var tooMany *tg.TooManyRequestsError
	switch {
	case errors.As(err, &tooMany):
		kind = "rate_limited"
	case errors.Is(err, tg.ErrorForbidden):
		kind = "forbidden" // blocked by the user, removed from the group
	case errors.Is(err, tg.ErrorBadRequest):
		kind = "bad_request"
	}
	a.metrics.PlatformError(platform, kind)
	a.log.Error("telegram: "+method+" failed", append(attrs, "kind", kind, "error", a.scrubErr(err))...)
}

func (a *Adapter) scrubErr(err error) string { return a.scrub(err.Error()) }

// setCommands registers the command menu.
func (a *Adapter) setCommands(ctx context.Context) {
	_, err := a.tg.SetMyCommands(ctx, &tg.SetMyCommandsParams{Commands: []models.BotCommand{
		{Command: "ask", Description: "Ask a question about the story"},
		{Command: "sources", Description: "List the articles I quote"},
		{Command: "help", Description: "What I know and how to ask"},
	}})
	if err != nil && ctx.Err() == nil {
		a.apiFailed("setMyCommands", err)
	}
}

// confirm tells the Bot API every update up to the watermark is handled,
// so a restart does not get them again. The library confirms an offset
// only with its next getUpdates, which shutdown cancels.
func (a *Adapter) confirm() {
	mark := a.disp.watermark()
	if mark <= a.base {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), a.cfg.RequestTimeout)
	defer cancel()
	v := url.Values{"offset": {strconv.FormatInt(mark+1, 10)}, "timeout": {"0"}, "limit": {"1"}}
	if err := a.client.postForm(ctx, a.cfg.APIURL, a.cfg.Token, "getUpdates", v); err != nil {
		a.log.Warn("telegram: could not confirm the last updates; without state_file a restart may answer them again",
			"last_update_id", mark, "error", a.scrubErr(err))
	}
	if err := a.saveState(mark); err != nil {
		a.log.Error("telegram: could not save state", "file", a.cfg.StateFile, "error", err)
	}
}

// persist saves the watermark to StateFile every second while ctx lasts.
func (a *Adapter) persist(ctx context.Context) <-chan struct{} {
	done := make(chan struct{})
	if a.cfg.StateFile == "" || a.cfg.Mode != "polling" {
		close(done)
		return done
	}
	go func() {
		defer close(done)
		saved := a.base
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			if m := a.disp.watermark(); m != saved {
				if err := a.saveState(m); err != nil {
					a.log.Error("telegram: could not save state", "file", a.cfg.StateFile, "error", err)
				} else {
					saved = m
				}
			}
		}
	}()
	return done
}

type state struct {
	LastUpdateID int64 `json:"last_update_id"`
}

// loadState returns the last handled update ID from StateFile, or 0.
func (a *Adapter) loadState() (int64, error) {
	if a.cfg.StateFile == "" || a.cfg.Mode != "polling" {
		return 0, nil
	}
	data, err := os.ReadFile(a.cfg.StateFile)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("state file: %w", err)
	}
	var s state
	if err := json.Unmarshal(data, &s); err != nil {
		return 0, fmt.Errorf("state file %s: %w", a.cfg.StateFile, err)
	}
	return s.LastUpdateID, nil
}

// saveState writes the last handled update ID to StateFile, atomically.
func (a *Adapter) saveState(id int64) error {
	if a.cfg.StateFile == "" || a.cfg.Mode != "polling" {
		return nil
	}
	data, _ := json.Marshal(state{LastUpdateID: id})
	tmp, err := os.CreateTemp(filepath.Dir(a.cfg.StateFile), ".storybot-state-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), a.cfg.StateFile)
}

// equalSecret compares in constant time.
func equalSecret(got, want string) bool {
	return subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}
