// Package telegram is storybot's Telegram adapter: it receives updates from
// the Bot API (long polling or a webhook) through go-telegram/bot, turns
// each into a plain question for bot.Service, and renders the reply as
// Telegram HTML.
//
// Updates are answered by Workers goroutines, in order within a chat, at
// most Queue held at once, and a chat that waits never holds up the
// others (see dispatch.go). In polling mode an update is confirmed to the
// Bot API only once it is answered (see poll.go), so a crash loses
// nothing; with StateFile, what was answered is recorded as it is, so a
// restart does not answer it again. At shutdown the adapter stops taking
// updates, finishes those it took (for at most DrainTimeout), and confirms
// the last.
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
	"slices"
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

	StateFile string // polling: file the answered updates are recorded in across restarts; empty: none

	Workers        int           // updates answered at once; default 8
	Queue          int           // updates held (queued or being answered); default 32 per worker; one chat holds at most half
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

	now      func() time.Time // the clock of the poller's health
	timeouts webhookTimeouts

	ready    atomic.Bool
	running  atomic.Bool
	stopping atomic.Bool                             // shutdown began: take no more updates
	killed   atomic.Bool                             // tests: the process is dead, it writes nothing more
	stopRun  atomic.Pointer[context.CancelCauseFunc] // ends Run with an error

	// set by Run before any update is handled
	tg     *tg.Bot
	me     models.User
	hard   context.Context // for replies; cancelled when the drain time is up
	pool   *bot.Pool
	held   atomic.Int64  // updates submitted and not yet answered
	room   chan struct{} // an update was answered
	busyMu sync.Mutex
	busy   map[string]*refused // pending busy notices, by pool key
	health health

	// polling
	track  *tracker
	prior  map[int64]bool // answered above the last run's watermark
	saveMu sync.Mutex
	saved  state // last written to StateFile

	// webhook
	seen *bot.Seen[int64]
}

// webhookTimeouts are the webhook server's; tests shorten them.
type webhookTimeouts struct {
	read, idle time.Duration
	connState  func(net.Conn, http.ConnState)
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
	a := &Adapter{svc: svc, cfg: cfg, log: log, metrics: svc.Metrics(), now: time.Now,
		timeouts: webhookTimeouts{read: webhookReadTimeout, idle: webhookIdleTimeout}}
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

// Ready reports whether the bot is connected and taking updates. In
// polling mode it is false while getUpdates has failed (a 409 Conflict, a
// hung or failing call) for longer than 2 × PollTimeout + RequestTimeout.
func (a *Adapter) Ready() bool {
	if !a.ready.Load() {
		return false
	}
	return a.cfg.Mode != "polling" || a.health.healthy(a.now(), a.cfg.stallAfter())
}

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

	st, err := a.loadState()
	if err != nil {
		return fmt.Errorf("telegram: %w", err)
	}
	a.saved = st
	a.track = newTracker(st.LastUpdateID)
	a.prior = make(map[int64]bool, len(st.Answered))
	for _, id := range st.Answered {
		a.prior[id] = true
	}
	a.seen = bot.NewSeen[int64](4 * a.cfg.Queue)

	b, err := tg.New(a.cfg.Token,
		tg.WithServerURL(a.cfg.APIURL),
		tg.WithSkipGetMe(),
		tg.WithHTTPClient(a.cfg.PollTimeout, a.client),
		tg.WithErrorsHandler(a.libError),
		tg.WithDebugHandler(func(string, ...any) {}),
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

	// The pool has room for Workers more than Queue: the adapter counts
	// an update answered (held) a moment before the pool does.
	a.pool = bot.NewPool(bot.PoolConfig{
		Workers: a.cfg.Workers,
		Queue:   a.cfg.Queue + a.cfg.Workers,
		PerKey:  max(a.cfg.Queue/2, 1),
		OnPanic: func(key string, v any) {
			a.metrics.PlatformError(platform, "panic")
			a.log.Error("telegram: panic in a worker; going on", "key", key, "panic", a.scrub(fmt.Sprint(v)))
		},
	})
	a.room = make(chan struct{}, 1)
	a.busy = make(map[string]*refused)
	// runCtx ends with ctx, or when the token is revoked while running.
	runCtx, stopRun := context.WithCancelCause(ctx)
	defer stopRun(nil)
	a.stopRun.Store(&stopRun)
	// The drain time counts from the moment shutdown begins.
	var (
		drainOnce  sync.Once
		drainTimer *time.Timer
	)
	startDrain := func() {
		drainOnce.Do(func() {
			a.stopping.Store(true)
			a.ready.Store(false)
			drainTimer = time.AfterFunc(a.cfg.DrainTimeout, func() {
				if n := a.held.Load(); n > 0 {
					what := "they are not confirmed, so a restart gets them again"
					if a.cfg.Mode == "webhook" {
						what = "Telegram has them as delivered, so they are lost"
					}
					a.log.Error("telegram: drain time is up; abandoning unfinished answers; "+what,
						"unfinished", n, "drain_timeout", a.cfg.DrainTimeout.String())
				}
				cancelHard()
			})
		})
	}
	stopDrainClock := context.AfterFunc(runCtx, startDrain)
	defer stopDrainClock()

	var served error
	stopServer := func() {}
	if a.cfg.Mode == "webhook" {
		stopServer, served = a.runWebhook(runCtx)
	} else {
		a.runPolling(runCtx)
	}
	if ctx.Err() == nil && served == nil {
		served = context.Cause(runCtx)
	}
	if a.killed.Load() {
		stopServer()
		return served // a crash: no drain, nothing confirmed
	}

	// Stopped taking updates: finish those taken.
	startDrain()
	a.pool.Close()
	<-a.pool.Done()
	drainTimer.Stop()
	stopServer()
	if a.cfg.Mode == "polling" {
		a.confirm()
	}
	mark := a.track.watermark()
	a.log.Info("telegram: stopped", "last_update_id", mark)
	return served
}

var allowedUpdates = []string{models.AllowedUpdateMessage, models.AllowedUpdateInlineQuery}

// runPolling polls until ctx is cancelled.
func (a *Adapter) runPolling(ctx context.Context) {
	if _, err := a.tg.DeleteWebhook(ctx, &tg.DeleteWebhookParams{}); err != nil && ctx.Err() == nil {
		a.apiFailed("deleteWebhook", err)
	}
	a.health.set(a.now(), false)
	a.ready.Store(true)
	mark := a.track.watermark()
	a.log.Info("telegram: connected", "bot", "@"+a.me.Username, "mode", "polling",
		"workers", a.cfg.Workers, "queue", a.cfg.Queue, "offset", mark+1)
	a.poll(ctx)
}

// libError logs an error the library reports outside a call's result
// (closing a request pipe, say).
func (a *Adapter) libError(err error) {
	a.log.Warn("telegram: bot api client error", "error", a.scrubErr(err))
}

// apiFailed logs a failed Bot API call that will not be retried.
func (a *Adapter) apiFailed(method string, err error, attrs ...any) {
	if errors.Is(err, errUnreadable) {
		return // carried out; apiClient logged the garbled answer
	}
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
// so a restart does not get them again: the poller confirms only with its
// next getUpdates, which shutdown cancels.
func (a *Adapter) confirm() {
	a.persist()
	mark := a.track.watermark()
	ctx, cancel := context.WithTimeout(context.Background(), a.cfg.RequestTimeout)
	defer cancel()
	v := url.Values{"offset": {strconv.FormatInt(mark+1, 10)}, "timeout": {"0"}, "limit": {"1"}}
	if err := a.client.call(ctx, a.cfg.APIURL, a.cfg.Token, "getUpdates", v, nil); err != nil {
		a.log.Warn("telegram: could not confirm the last updates; without state_file a restart may answer them again",
			"last_update_id", mark, "error", a.scrubErr(err))
	}
}

// state is what StateFile keeps: the watermark, and the updates above it
// already answered.
type state struct {
	LastUpdateID int64   `json:"last_update_id"`
	Answered     []int64 `json:"answered,omitempty"`
}

func (s state) equal(o state) bool {
	return s.LastUpdateID == o.LastUpdateID && slices.Equal(s.Answered, o.Answered)
}

// persist writes the tracker's state to StateFile, if set and changed.
// Workers call it as they finish, and the writes of those finishing at
// once are shared.
func (a *Adapter) persist() {
	if a.cfg.StateFile == "" {
		return
	}
	a.saveMu.Lock()
	defer a.saveMu.Unlock()
	s := a.track.snapshot()
	if s.equal(a.saved) || a.killed.Load() {
		return
	}
	if err := a.saveState(s); err != nil {
		a.metrics.PlatformError(platform, "state_file")
		a.log.Error("telegram: could not save state; a restart after a crash may answer again what this run answered",
			"file", a.cfg.StateFile, "error", err)
		return
	}
	a.saved = s
}

// loadState returns what StateFile keeps, or a zero state.
func (a *Adapter) loadState() (state, error) {
	if a.cfg.StateFile == "" || a.cfg.Mode != "polling" {
		return state{}, nil
	}
	data, err := os.ReadFile(a.cfg.StateFile)
	if errors.Is(err, os.ErrNotExist) {
		return state{}, nil
	}
	if err != nil {
		return state{}, fmt.Errorf("state file: %w", err)
	}
	var s state
	if err := json.Unmarshal(data, &s); err != nil {
		return state{}, fmt.Errorf("state file %s: %w", a.cfg.StateFile, err)
	}
	return s, nil
}

// saveState writes s to StateFile, atomically.
func (a *Adapter) saveState(s state) error {
	data, _ := json.Marshal(s)
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
