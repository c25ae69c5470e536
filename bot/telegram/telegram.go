// Package telegram is storybot's Telegram adapter: it receives updates from
// the Bot API (long polling or a webhook) through go-telegram/bot, turns
// each into a plain question for bot.Service, and renders the reply as
// Telegram HTML.
//
// It is configured by options, as the Discord adapter is: New(svc, token,
// WithWorkers(8), ...). Updates are answered by WithWorkers goroutines, in
// order within a chat, at most WithQueue held at once, and a chat that
// waits never holds up the others (see dispatch.go). In polling mode an
// update is confirmed to the Bot API only once it is answered (see
// poll.go), so a crash loses nothing; WithStateFile records what was
// answered as it is, so a restart does not answer it again. At shutdown
// the adapter stops taking updates, finishes those it took (for at most
// WithDrainTimeout), and confirms the last.
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

// DefaultAPIURL is the official Bot API server, which WithAPIURL replaces
// (with a local telegram-bot-api server, or a test fake).
const DefaultAPIURL = "https://api.telegram.org"

// settings are the Adapter's, as its options set them. The adapter keeps
// no defaults of its own for what storybot configures: storybot's are in
// its DefaultConfig, and New refuses settings it cannot work with.
type settings struct {
	Token  string
	APIURL string

	Mode        string        // "polling" or "webhook" (WithWebhook)
	PollTimeout time.Duration // long-poll timeout; at least 2s

	WebhookListen         string       // address the webhook server listens on
	WebhookURL            string       // public HTTPS URL Telegram posts to
	WebhookSecret         string       // secret token Telegram sends back
	WebhookMaxConnections int          // Telegram's max_connections
	Listener              net.Listener // if set, the webhook server uses it instead of WebhookListen

	StateFile string // polling: file the answered updates are recorded in across restarts; empty: none

	Workers        int           // updates answered at once
	Queue          int           // updates held (queued or being answered); one chat holds at most half
	RequestTimeout time.Duration // one Bot API request
	MaxRetries     int           // retries of a failed request
	MaxRetryAfter  time.Duration // longest 429 retry_after waited
	DrainTimeout   time.Duration // at shutdown, time allowed to finish answers
	TypingAfter    time.Duration // show "typing…" when an answer takes longer; zero or less: never

	// The back-off after a failed request, not a setting: tests shorten it.
	RetryBackoff    time.Duration // first back-off after an error
	RetryBackoffMax time.Duration // longest back-off
}

// The back-off after a failed Bot API request: retryBackoff, doubling up
// to retryBackoffMax.
const (
	retryBackoff    = 500 * time.Millisecond
	retryBackoffMax = 30 * time.Second
)

// Option configures an Adapter.
type Option func(*Adapter)

// WithAPIURL sends every Bot API request to base instead of DefaultAPIURL.
func WithAPIURL(base string) Option { return func(a *Adapter) { a.cfg.APIURL = base } }

// WithPollTimeout sets how long one getUpdates call waits for updates
// (required in polling mode; at least 2 s).
func WithPollTimeout(d time.Duration) Option { return func(a *Adapter) { a.cfg.PollTimeout = d } }

// WithWebhook takes updates through a webhook instead of polling:
// Telegram posts them to url, the public HTTPS address of this process's
// webhook server (WithWebhookListen or WithWebhookListener), with secret,
// 1-256 letters, digits, _ or -, in each request. Webhook mode needs
// WithWebhookMaxConnections too.
func WithWebhook(url, secret string) Option {
	return func(a *Adapter) { a.cfg.Mode, a.cfg.WebhookURL, a.cfg.WebhookSecret = "webhook", url, secret }
}

// WithWebhookListen sets the address the webhook server listens on.
func WithWebhookListen(addr string) Option { return func(a *Adapter) { a.cfg.WebhookListen = addr } }

// WithWebhookListener makes the webhook server serve ln instead of
// listening on an address of its own.
func WithWebhookListener(ln net.Listener) Option { return func(a *Adapter) { a.cfg.Listener = ln } }

// WithWebhookMaxConnections sets the most connections Telegram opens at
// once to deliver updates (1-100; required in webhook mode).
func WithWebhookMaxConnections(n int) Option {
	return func(a *Adapter) { a.cfg.WebhookMaxConnections = n }
}

// WithStateFile records the answered updates in the file at path, as they
// are answered, so a restart after a crash does not answer one again
// (polling mode).
func WithStateFile(path string) Option { return func(a *Adapter) { a.cfg.StateFile = path } }

// WithWorkers sets how many updates are answered at once (required: at
// least 1). Each chat is answered by one worker at a time, in order.
func WithWorkers(n int) Option { return func(a *Adapter) { a.cfg.Workers = n } }

// WithQueue sets how many updates may be held at once, queued or being
// answered (required: at least 1, and never fewer than the workers); one
// chat may hold half of them.
func WithQueue(n int) Option { return func(a *Adapter) { a.cfg.Queue = n } }

// WithRequestTimeout bounds one Bot API request (required); a getUpdates
// waits the poll timeout more.
func WithRequestTimeout(d time.Duration) Option { return func(a *Adapter) { a.cfg.RequestTimeout = d } }

// WithMaxRetries sets how often a failed Bot API request is sent again
// (429, 5xx, timeouts, dropped connections, malformed responses), with
// exponential back-off. Without it, or below 1, none is.
func WithMaxRetries(n int) Option { return func(a *Adapter) { a.cfg.MaxRetries = n } }

// WithMaxRetryAfter bounds the retry_after of a 429 that a request waits
// out (required); past it the request fails.
func WithMaxRetryAfter(d time.Duration) Option { return func(a *Adapter) { a.cfg.MaxRetryAfter = d } }

// WithDrainTimeout sets the time allowed at shutdown, counted from its
// start, to finish the answers in flight. Without it, or at zero, they are
// given up at once.
func WithDrainTimeout(d time.Duration) Option { return func(a *Adapter) { a.cfg.DrainTimeout = d } }

// WithTypingAfter shows "typing…" in a chat whose answer takes longer than
// d. Without it, or at zero or less, it is never shown.
func WithTypingAfter(d time.Duration) Option { return func(a *Adapter) { a.cfg.TypingAfter = d } }

// WithLogger sets the logger; the default discards.
func WithLogger(l *slog.Logger) Option { return func(a *Adapter) { a.log = l } }

var (
	// ErrNoToken is returned by New without a bot token.
	ErrNoToken = errors.New("no bot token")
	// ErrWebhookSecret is returned by New in webhook mode without a
	// usable secret.
	ErrWebhookSecret = errors.New("webhook mode needs a webhook secret of 1-256 letters, digits, _ or -")
	// ErrTokenRejected is returned by Run when the Bot API refuses the
	// token, at start or while running.
	ErrTokenRejected = errors.New("the Bot API rejected the token")
)

var secretRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

// check returns an error for settings the adapter cannot work with.
func (c *settings) check() error {
	if strings.TrimSpace(c.Token) == "" {
		return ErrNoToken
	}
	c.APIURL = strings.TrimRight(c.APIURL, "/")
	if u, err := url.Parse(c.APIURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("api url %q is not an http(s) URL", c.APIURL)
	}
	switch c.Mode {
	case "polling":
		if c.PollTimeout <= 0 {
			return fmt.Errorf("poll timeout %v: want more than 0 (WithPollTimeout)", c.PollTimeout)
		}
		c.PollTimeout = max(c.PollTimeout, 2*time.Second)
	case "webhook":
		u, err := url.Parse(c.WebhookURL)
		if c.WebhookURL == "" || err != nil || u.Host == "" {
			return errors.New("webhook mode needs the public URL Telegram posts updates to")
		}
		if !secretRE.MatchString(c.WebhookSecret) {
			return ErrWebhookSecret
		}
		if c.WebhookListen == "" && c.Listener == nil {
			return errors.New("webhook mode needs an address to listen on (WithWebhookListen)")
		}
		if c.WebhookMaxConnections < 1 || c.WebhookMaxConnections > 100 {
			return fmt.Errorf("webhook max connections %d: want 1 to 100 (WithWebhookMaxConnections)", c.WebhookMaxConnections)
		}
	}
	switch {
	case c.Workers < 1:
		return fmt.Errorf("%d workers: want at least 1 (WithWorkers)", c.Workers)
	case c.Queue < 1:
		return fmt.Errorf("queue %d: want at least 1 (WithQueue)", c.Queue)
	case c.RequestTimeout <= 0:
		return fmt.Errorf("request timeout %v: want more than 0 (WithRequestTimeout)", c.RequestTimeout)
	case c.MaxRetryAfter <= 0:
		return fmt.Errorf("max retry after %v: want more than 0 (WithMaxRetryAfter)", c.MaxRetryAfter)
	}
	c.Queue = max(c.Queue, c.Workers)
	c.MaxRetries = max(c.MaxRetries, 0)
	c.DrainTimeout = max(c.DrainTimeout, 0)
	c.RetryBackoffMax = max(c.RetryBackoffMax, c.RetryBackoff)
	c.MaxRetryAfter = max(c.MaxRetryAfter, c.RetryBackoffMax)
	return nil
}

// Adapter is the Telegram bot. It implements bot.Adapter.
type Adapter struct {
	svc     *bot.Service
	cfg     settings
	log     *slog.Logger
	metrics bot.Metrics
	client  *apiClient
	scrub   func(string) string // hides the token and the webhook secret

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
}

// New returns an Adapter for the bot token (from @BotFather) answering
// with svc. It checks the options but does not connect: Run does.
func New(svc *bot.Service, token string, opts ...Option) (*Adapter, error) {
	a := &Adapter{
		svc: svc,
		cfg: settings{Token: token, APIURL: DefaultAPIURL, Mode: "polling",
			RetryBackoff: retryBackoff, RetryBackoffMax: retryBackoffMax},
		log:      slog.New(slog.DiscardHandler),
		metrics:  svc.Metrics(),
		now:      time.Now,
		timeouts: webhookTimeouts{read: webhookReadTimeout, idle: webhookIdleTimeout},
	}
	for _, o := range opts {
		o(a)
	}
	if err := a.cfg.check(); err != nil {
		return nil, fmt.Errorf("telegram: %w", err)
	}
	a.scrub = bot.NewRedactor(a.cfg.Token, a.cfg.WebhookSecret).Redact
	cfg := a.cfg
	a.client = &apiClient{
		http:           &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()},
		pollTimeout:    cfg.PollTimeout,
		requestTimeout: cfg.RequestTimeout,
		maxRetries:     cfg.MaxRetries,
		maxRetryAfter:  cfg.MaxRetryAfter,
		backoff:        backoff{cfg.RetryBackoff, cfg.RetryBackoffMax},
		log:            a.log,
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
			return fmt.Errorf("telegram: %w", ErrTokenRejected)
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
		{Command: "summary", Description: "The story in brief, quoted from the articles"},
		{Command: "timeline", Description: "What happened when, in order"},
		{Command: "who", Description: "Who's who: the people the articles name"},
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
