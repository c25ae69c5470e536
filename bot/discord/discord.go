// Package discord serves storybot on Discord: the /ask, /summary,
// /timeline, /who, /sources and /help slash commands, questions that
// mention the bot in a channel, and any message in a direct message.
// Answers are embeds quoting the articles, a timeline or who's who escaped
// lines, each reply a Discord reply to the question, none able to ping
// anyone.
//
// The Adapter is built on discordgo, with what discordgo does not do on its
// own: it stops with an error on the gateway close codes that mean a
// reconnect cannot succeed (4004, a rejected token; 4014, intents not
// granted) instead of reconnecting forever; it keeps the REST rate limits
// itself, in waits that shutdown can end (rest.go); it ignores gateway
// messages that would panic inside discordgo's reader (frames.go); it
// recovers a panic in any handler and tells the asker; it answers through
// a bounded keyed pool (bot.Pool), telling those it cannot take that it is
// busy; and it can send every request to another API base (WithAPIURL),
// which is how the tests run against a fake Discord.
package discord

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/storybot/storybot/bot"
)

// DefaultAPIURL is Discord's REST API base; the gateway URL is looked up
// there too. discordgo v0.29 builds its request URLs on API v9
// (discordgo.EndpointAPI); the adapter sends them to the configured base,
// whose paths are the same in v10. The gateway speaks the version
// discordgo asks for.
const DefaultAPIURL = "https://discord.com/api/v10"

// platform names the adapter in logs, metrics and flood-control keys.
const platform = "discord"

// Intents are the gateway intents the bot asks for: messages in guild
// channels and in DMs. Neither is privileged. Without the privileged
// Message Content intent Discord still delivers the text of DMs and of
// messages that mention the bot, which is all the bot reads.
const Intents = discordgo.IntentsGuildMessages | discordgo.IntentsDirectMessages

var (
	// ErrNoToken is returned by New without a bot token.
	ErrNoToken = errors.New("no bot token")
	// ErrTokenRejected is returned by Run when Discord rejects the token
	// (gateway close code 4004, or HTTP 401).
	ErrTokenRejected = errors.New("the bot token was rejected")
	// ErrDisallowedIntents is returned by Run when Discord refuses the
	// intents (gateway close code 4014).
	ErrDisallowedIntents = errors.New("the gateway intents were refused")
)

// Adapter serves the bot on Discord. It implements bot.Adapter.
type Adapter struct {
	token      string
	redact     func(string) string // hides the token
	svc        *bot.Service
	log        *slog.Logger
	apiURL     string
	guildIDs   []string
	shardID    int
	shardCount int
	workers    int
	queue      int
	grace      time.Duration
	maxWait    time.Duration // max_retry_after

	// Tests shorten these.
	reconnectBase time.Duration // first wait after a failed reconnect; doubles
	retryBase     time.Duration // first wait after a REST 5xx; doubles
	registerBase  time.Duration // first wait before registering commands again; doubles

	// proxy picks the HTTP proxy for a REST call or the gateway;
	// http.ProxyFromEnvironment by default. tlsConfig, if set, is the TLS
	// configuration of both (a test's own CA).
	proxy     func(*http.Request) (*url.URL, error)
	tlsConfig *tls.Config

	// deferAfter is how long a slash command may wait for its worker before
	// a deferred response is sent (defaultDeferAfter, 1.5 s; see ack.go).
	deferAfter time.Duration
	// afterFunc arms the deferral timers; nil is time.AfterFunc. Tests
	// fire the timers by hand.
	afterFunc afterFunc

	ready   atomic.Bool
	started atomic.Bool
}

// Option configures an Adapter.
type Option func(*Adapter)

// WithAPIURL sends every REST call, and the gateway lookup, to base instead
// of DefaultAPIURL, e.g. "http://127.0.0.1:8080/api/v9".
func WithAPIURL(base string) Option { return func(a *Adapter) { a.apiURL = base } }

// WithGuilds registers the slash commands in these guilds, where they
// appear at once, instead of globally.
func WithGuilds(ids ...string) Option { return func(a *Adapter) { a.guildIDs = ids } }

// WithShard makes this process shard id of count (Discord's sharding).
func WithShard(id, count int) Option {
	return func(a *Adapter) { a.shardID, a.shardCount = id, count }
}

// WithWorkers sets how many channels are answered at once (required: at
// least 1). Questions in one channel are answered one at a time, in order.
func WithWorkers(n int) Option { return func(a *Adapter) { a.workers = n } }

// WithQueue sets how many questions may be held at once, waiting or being
// answered (required: at least 1); one channel may hold half of them. Past that a
// question is refused, and its channel gets a notice to ask again (one
// per channel, after its queued replies), a slash command its own busy
// response at once.
func WithQueue(n int) Option { return func(a *Adapter) { a.queue = n } }

// WithMaxRetryAfter bounds how long one request waits for Discord's rate
// limits in all (429s, empty buckets, the global limit; required): a
// request that would wait longer fails at once, logged and counted.
func WithMaxRetryAfter(d time.Duration) Option { return func(a *Adapter) { a.maxWait = d } }

// WithLogger sets the logger; the default discards.
func WithLogger(l *slog.Logger) Option { return func(a *Adapter) { a.log = l } }

// WithDrainTimeout bounds how long Run, once its context is cancelled,
// waits for the replies queued and in flight. Without it, or at zero, they
// are given up at once.
func WithDrainTimeout(d time.Duration) Option { return func(a *Adapter) { a.grace = d } }

// New returns an Adapter for the bot token (as the Developer Portal shows
// it, without "Bot ") answering through svc. It checks the options but
// does not connect: Run does. The adapter keeps no defaults of its own for
// what storybot configures (storybot's are in its DefaultConfig): New
// refuses settings it cannot work with, those left out among them.
func New(svc *bot.Service, token string, opts ...Option) (*Adapter, error) {
	a := &Adapter{
		token:         strings.TrimPrefix(strings.TrimSpace(token), "Bot "),
		svc:           svc,
		log:           slog.New(slog.DiscardHandler),
		apiURL:        DefaultAPIURL,
		shardCount:    1, // not sharded
		proxy:         http.ProxyFromEnvironment,
		reconnectBase: time.Second,
		retryBase:     500 * time.Millisecond,
		registerBase:  30 * time.Second,
		deferAfter:    defaultDeferAfter,
	}
	for _, o := range opts {
		o(a)
	}
	switch {
	case a.token == "":
		return nil, fmt.Errorf("discord: %w", ErrNoToken)
	case a.shardCount < 1 || a.shardID < 0 || a.shardID >= a.shardCount:
		return nil, fmt.Errorf("discord: shard %d of %d: want 0 <= shard_id < shard_count", a.shardID, a.shardCount)
	case a.workers < 1:
		return nil, fmt.Errorf("discord: %d workers: want at least 1 (WithWorkers)", a.workers)
	case a.queue < 1:
		return nil, fmt.Errorf("discord: queue %d: want at least 1 (WithQueue)", a.queue)
	case a.maxWait <= 0:
		return nil, fmt.Errorf("discord: max retry after %v: want more than 0 (WithMaxRetryAfter)", a.maxWait)
	}
	a.grace = max(a.grace, 0)
	if _, err := parseBase(a.apiURL); err != nil {
		return nil, fmt.Errorf("discord: %w", err)
	}
	a.redact = bot.NewRedactor(a.token).Redact
	return a, nil
}

// Name returns "discord".
func (a *Adapter) Name() string { return platform }

// Ready reports whether the gateway is connected.
func (a *Adapter) Ready() bool { return a.ready.Load() }

// Run connects to the gateway, registers the slash commands, and answers
// until ctx is cancelled. Then it stops taking questions (those asked
// meanwhile are told the bot is busy), finishes the replies queued and in
// flight for up to the shutdown grace (a rate-limit wait that would end
// after it is given up at once), closes the gateway and returns nil. It returns an
// error, after the same shutdown, when Discord rejects the token or the
// intents, or refuses the shard. Run may be called once.
func (a *Adapter) Run(ctx context.Context) error {
	if !a.started.CompareAndSwap(false, true) {
		return errors.New("discord: Run called twice")
	}
	r, err := a.newRun(ctx)
	if err != nil {
		return fmt.Errorf("discord: %w", err)
	}
	r.startWorkers()
	err = r.serve(ctx)
	a.ready.Store(false)
	r.shutdown()
	if err != nil {
		return fmt.Errorf("discord: %w", err)
	}
	return nil
}
