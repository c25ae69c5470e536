package discord

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"

	"github.com/storybot/storybot/bot"
)

// run is the state of one Run: the discordgo sessions, the reply workers,
// and what the gateway loop knows.
//
// Two discordgo sessions share one HTTP client and rate limiter: rest sends
// every reply and command registration and never opens the gateway; gw
// holds the gateway connection and is replaced by a fresh one when Discord
// says the session cannot be resumed. discordgo's own reconnect loop is off
// (it retries forever, even on a rejected token): serve reconnects instead,
// resuming where discordgo can, and stops on the close codes that mean
// trying again is pointless.
type run struct {
	a    *Adapter
	log  *slog.Logger
	tr   *transport
	rest *discordgo.Session
	gw   *discordgo.Session
	dial *websocket.Dialer

	self  atomic.Value // the bot's user ID, from READY
	appID atomic.Value // the application ID, from READY

	dropped chan struct{} // the gateway connection closed
	readied chan struct{} // a READY arrived
	seen    *bot.Seen[string]

	pool   *bot.Pool // answers the questions, in order per channel
	prompt *bot.Pool // sends the responses that cannot wait behind them

	busyMu sync.Mutex
	busy   map[string]*discordgo.Message // channel -> first question refused, its notice pending

	work       context.Context // for replies: outlives the Run context by the grace
	cancelWork context.CancelFunc

	// handshake is the gateway TCP connection while gw.Open is still
	// reading HELLO and READY/RESUMED on it, nil once Open has handed it to
	// discordgo's reader (the Connect event) or failed. Only such a
	// connection may be closed under discordgo when the Run context ends:
	// a live one is closed by shutdown, with close code 1000.
	connMu     sync.Mutex
	handshake  net.Conn
	stopping   bool // the Run context ended: no new gateway connections
	stopUnhang func() bool

	// unregistered lists where the slash commands still need registering
	// ("" globally, else a guild ID); regFailures counts the registrations
	// in a row that failed and may be retried soon. Only serve's goroutine
	// uses them.
	unregistered []string
	regFailures  int
}

func (a *Adapter) newRun(ctx context.Context) (*run, error) {
	r := &run{
		a:       a,
		log:     a.log,
		dropped: make(chan struct{}, 1),
		readied: make(chan struct{}, 1),
		seen:    bot.NewSeen[string](4096),
		busy:    make(map[string]*discordgo.Message),
	}
	r.self.Store("")
	r.appID.Store("")
	if a.shardID == 0 { // commands belong to the application: shard 0 registers them
		r.unregistered = append([]string(nil), a.guildIDs...)
		if len(r.unregistered) == 0 {
			r.unregistered = []string{""}
		}
	}
	tr, err := newTransport(discordgo.EndpointAPI, a.apiURL, a.maxWait)
	if err != nil {
		return nil, err
	}
	next := baseTransport()
	next.Proxy, next.TLSClientConfig = a.proxy, a.tlsConfig
	tr.next, tr.backoff = next, a.retryBase
	tr.onRetry = func(kind string, wait time.Duration) {
		msg := "discord: REST call retried"
		if kind == "rate_limit_wait" {
			msg = "discord: REST call waits for its rate limit"
		}
		r.log.Warn(msg, "reason", kind, "wait", wait)
		a.svc.Metrics().PlatformError(platform, kind)
	}
	r.tr = tr
	// The dial functions do TLS and the proxy themselves, so that the
	// frame guard reads the gateway in the clear.
	r.dial = &websocket.Dialer{
		HandshakeTimeout:  15 * time.Second,
		NetDialContext:    r.dialGateway,
		NetDialTLSContext: r.dialGatewayTLS,
	}
	client := &http.Client{Transport: tr}
	limiter := discordgo.NewRatelimiter()
	r.rest = a.newSession(client, limiter, r.dial)
	r.gw = r.newGateway(client, limiter)
	r.work, r.cancelWork = context.WithCancel(context.WithoutCancel(ctx))
	// discordgo's Open blocks reading the gateway with no deadline; if the
	// Run context ends during an Open, close its connection to end it.
	r.stopUnhang = context.AfterFunc(ctx, func() {
		r.connMu.Lock()
		defer r.connMu.Unlock()
		r.stopping = true
		if r.handshake != nil {
			r.handshake.Close()
		}
	})
	return r, nil
}

// newSession returns a discordgo session set up the way the adapter needs.
func (a *Adapter) newSession(client *http.Client, limiter *discordgo.RateLimiter, dial *websocket.Dialer) *discordgo.Session {
	s, _ := discordgo.New("Bot " + a.token) // New cannot fail
	s.Client = client
	s.Ratelimiter = limiter
	s.Dialer = dial
	// discordgo logs the IDENTIFY payload, token included, at debug level;
	// keep it silent and log what matters here.
	s.LogLevel = -1
	// Uncompressed: every gateway payload is then a JSON object in a
	// text frame, which the frame guard can check (frames.go).
	s.Compress = false
	s.ShouldReconnectOnError = false
	s.ShouldRetryOnRateLimit = false // transport waits, interruptibly
	s.MaxRestRetries = 0             // transport retries 5xx
	s.StateEnabled = false
	s.SyncEvents = true // handlers run in gateway order; they only enqueue
	s.Identify.Intents = Intents
	s.ShardID, s.ShardCount = a.shardID, a.shardCount
	return s
}

// newGateway returns a gateway session with the event handlers attached.
func (r *run) newGateway(client *http.Client, limiter *discordgo.RateLimiter) *discordgo.Session {
	s := r.a.newSession(client, limiter, r.dial)
	// Open emits Connect once it has read READY or RESUMED, before it
	// starts the reader: from here on the connection is live.
	s.AddHandler(func(_ *discordgo.Session, _ *discordgo.Connect) { r.handedOver() })
	s.AddHandler(func(_ *discordgo.Session, e *discordgo.Ready) {
		defer r.recoverEvent("READY", nil)
		r.onReady(e)
	})
	s.AddHandler(func(_ *discordgo.Session, _ *discordgo.Resumed) {
		r.log.Info("discord: session resumed")
	})
	s.AddHandler(func(_ *discordgo.Session, _ *discordgo.Disconnect) {
		select {
		case r.dropped <- struct{}{}:
		default:
		}
	})
	// The handlers run on discordgo's reader goroutine: a panic there
	// would end the process, so each recovers.
	s.AddHandler(func(_ *discordgo.Session, m *discordgo.MessageCreate) {
		defer r.recoverEvent("MESSAGE_CREATE", nil)
		r.onMessage(m.Message)
	})
	s.AddHandler(func(_ *discordgo.Session, e *discordgo.InteractionCreate) {
		defer r.recoverEvent("INTERACTION_CREATE", e.Interaction)
		r.onInteraction(e.Interaction)
	})
	return s
}

func (r *run) onReady(e *discordgo.Ready) {
	if e.User != nil {
		r.self.Store(e.User.ID)
	}
	switch {
	case e.Application != nil && e.Application.ID != "":
		r.appID.Store(e.Application.ID)
	case e.User != nil:
		r.appID.Store(e.User.ID) // a bot's application shares its user's ID
	}
	name := ""
	if e.User != nil {
		name = e.User.Username
	}
	r.log.Info("discord: connected", "user", name, "shard", r.a.shardID, "shards", r.a.shardCount)
	select {
	case r.readied <- struct{}{}:
	default:
	}
}

// dialGateway opens the connection under a ws:// gateway websocket.
func (r *run) dialGateway(ctx context.Context, network, addr string) (net.Conn, error) {
	c, err := r.dialTCP(ctx, network, addr, "http")
	if err != nil {
		return nil, err
	}
	return r.guard(c), nil
}

// dialGatewayTLS opens the connection under a wss:// gateway websocket,
// TLS included, so the frame guard goes above TLS.
func (r *run) dialGatewayTLS(ctx context.Context, network, addr string) (net.Conn, error) {
	c, err := r.dialTCP(ctx, network, addr, "https")
	if err != nil {
		return nil, err
	}
	cfg := &tls.Config{}
	if r.a.tlsConfig != nil {
		cfg = r.a.tlsConfig.Clone()
	}
	if cfg.ServerName == "" {
		cfg.ServerName, _, _ = net.SplitHostPort(addr)
	}
	tc := tls.Client(c, cfg)
	if err := tc.HandshakeContext(ctx); err != nil {
		c.Close()
		return nil, err
	}
	return r.guard(tc), nil
}

// guard puts the frame guard (frames.go) on a gateway connection.
func (r *run) guard(c net.Conn) net.Conn {
	return newFrameGuard(c, func(size int64) {
		r.log.Warn("discord: gateway message that is not a JSON object ignored", "bytes", size)
		r.a.svc.Metrics().PlatformError(platform, "bad_frame")
	})
}

// dialTCP opens the TCP connection under the gateway websocket, through
// the HTTP proxy the environment names for scheme://addr, if any. It
// remembers the connection until the handshake is over, so a hung Open can
// be ended at shutdown, and gives reads an idle deadline: Discord sends a
// heartbeat ACK every ~41 s, so silence for minutes means the connection
// is dead.
func (r *run) dialTCP(ctx context.Context, network, addr, scheme string) (net.Conn, error) {
	proxy, err := r.a.proxy(&http.Request{URL: &url.URL{Scheme: scheme, Host: addr}})
	if err != nil {
		return nil, fmt.Errorf("gateway proxy: %w", err)
	}
	target := addr
	if proxy != nil {
		if proxy.Scheme != "http" {
			return nil, fmt.Errorf("gateway proxy %s: only http:// proxies can carry the gateway", proxy.Redacted())
		}
		target = proxy.Host
		if proxy.Port() == "" {
			target = net.JoinHostPort(proxy.Hostname(), "80")
		}
	}
	d := net.Dialer{Timeout: 15 * time.Second, KeepAlive: 30 * time.Second}
	c, err := d.DialContext(ctx, network, target)
	if err != nil {
		return nil, err
	}
	r.connMu.Lock()
	if r.stopping {
		r.connMu.Unlock()
		c.Close()
		return nil, errStopping
	}
	r.handshake = c
	r.connMu.Unlock()
	ic := &idleConn{Conn: c, idle: 3 * time.Minute}
	if proxy != nil {
		if err := tunnel(ctx, ic, proxy, addr); err != nil {
			c.Close()
			return nil, err
		}
	}
	return ic, nil
}

// tunnel asks the HTTP proxy on c for a tunnel to addr (CONNECT).
func tunnel(ctx context.Context, c net.Conn, proxy *url.URL, addr string) error {
	stop := context.AfterFunc(ctx, func() { c.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	req := &http.Request{Method: http.MethodConnect, URL: &url.URL{Opaque: addr}, Host: addr, Header: http.Header{}}
	if u := proxy.User; u != nil {
		pw, _ := u.Password()
		req.Header.Set("Proxy-Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(u.Username()+":"+pw)))
	}
	if err := req.Write(c); err != nil {
		return fmt.Errorf("gateway proxy %s: %w", proxy.Host, err)
	}
	// The proxy says nothing after its answer until the tunnel is used, so
	// the reader holds nothing of what follows.
	resp, err := http.ReadResponse(bufio.NewReader(c), req)
	if err != nil {
		return fmt.Errorf("gateway proxy %s: %w", proxy.Host, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("gateway proxy %s: CONNECT answered %s", proxy.Host, resp.Status)
	}
	if !stop() {
		return ctx.Err()
	}
	return nil
}

// handedOver marks the end of an Open's handshake: the connection, if
// live, is discordgo's to read and shutdown's to close.
func (r *run) handedOver() {
	r.connMu.Lock()
	r.handshake = nil
	r.connMu.Unlock()
}

// idleConn fails a read that waits longer than idle.
type idleConn struct {
	net.Conn
	idle time.Duration
}

func (c *idleConn) Read(p []byte) (int, error) {
	c.Conn.SetReadDeadline(time.Now().Add(c.idle))
	return c.Conn.Read(p)
}

// serve keeps the gateway connected until ctx ends (nil) or Discord says
// reconnecting cannot help (an error).
func (r *run) serve(ctx context.Context) error {
	failures := 0
	for ctx.Err() == nil {
		err := r.gw.Open()
		r.handedOver() // a failed Open has closed its connection
		if err == nil || errors.Is(err, discordgo.ErrWSAlreadyOpen) {
			failures = 0
			r.a.ready.Store(true)
			if err := r.connected(ctx); err != nil {
				return err
			}
			continue
		}
		if ctx.Err() != nil {
			return nil
		}
		fatal, fresh := r.classify(err)
		if fatal != nil {
			return fatal // Run's caller reports it
		}
		if fresh {
			r.log.Info("discord: session cannot be resumed; starting a new one")
			r.gw = r.newGateway(r.rest.Client, r.rest.Ratelimiter)
		}
		failures++
		wait := min(r.a.reconnectBase<<min(failures-1, 10), 2*time.Minute)
		r.log.Warn("discord: gateway connection failed", "error", r.describe(err), "retry_in", wait)
		r.a.svc.Metrics().PlatformError(platform, "gateway")
		if bot.Sleep(ctx, wait) != nil {
			return nil
		}
	}
	return nil
}

// connected registers the commands where they are not registered yet and
// waits for the connection to drop (nil) or ctx to end (nil), or for a
// fatal registration error. A registration that failed is tried again on
// the next connection or READY, and, when the failure may pass by itself
// (a server or network error), after a backoff: registerBase, doubling, at
// most maxRegisterWait.
func (r *run) connected(ctx context.Context) error {
	// Open has handled this connection's READY, if any: drop its signal,
	// registration is tried now anyway.
	select {
	case <-r.readied:
	default:
	}
	var (
		retry  *time.Timer
		retryC <-chan time.Time
	)
	defer func() {
		if retry != nil {
			retry.Stop()
		}
	}()
	for attempt := true; ; {
		if id := r.appID.Load().(string); attempt && id != "" && len(r.unregistered) > 0 {
			if retry != nil {
				retry.Stop()
				retryC = nil
			}
			soon, err := r.register(ctx, id)
			if err != nil {
				return err
			}
			switch {
			case len(r.unregistered) == 0:
				r.regFailures = 0
			case soon && ctx.Err() == nil:
				wait := min(r.a.registerBase<<min(r.regFailures, 10), maxRegisterWait)
				r.regFailures++
				r.log.Warn("discord: slash commands to be registered again", "retry_in", wait)
				retry = time.NewTimer(wait)
				retryC = retry.C
			}
		}
		attempt = false
		select {
		case <-ctx.Done():
			return nil
		case <-r.dropped:
			r.a.ready.Store(false)
			r.log.Warn("discord: disconnected; reconnecting")
			r.a.svc.Metrics().PlatformError(platform, "gateway")
			return nil
		case <-r.readied:
			attempt = true
		case <-retryC:
			retryC = nil
			attempt = true
		}
	}
}

// maxRegisterWait bounds the wait between command registrations.
const maxRegisterWait = 30 * time.Minute

// classify sorts a failed Open: a fatal error to stop on, or whether the
// session must be replaced by a new one; otherwise retry.
func (r *run) classify(err error) (fatal error, fresh bool) {
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		switch ce.Code {
		case 4004:
			return fmt.Errorf("%w (gateway close code 4004)", ErrTokenRejected), false
		case 4014:
			return fmt.Errorf("%w (gateway close code 4014); the bot needs only the Guild Messages and Direct Messages intents, neither privileged", ErrDisallowedIntents), false
		case 4010, 4011:
			return fmt.Errorf("gateway refused shard %d of %d (close code %d: %s)", r.a.shardID, r.a.shardCount, ce.Code, ce.Text), false
		case 4012, 4013:
			return fmt.Errorf("gateway closed the connection (close code %d: %s)", ce.Code, ce.Text), false
		case 4007, 4009:
			return nil, true
		}
	}
	if unauthorized(err) {
		return fmt.Errorf("%w (HTTP 401)", ErrTokenRejected), false
	}
	return nil, false
}

func unauthorized(err error) bool {
	var re *discordgo.RESTError
	return errors.As(err, &re) && re.Response != nil && re.Response.StatusCode == http.StatusUnauthorized
}

// describe returns err for a log line, without URLs (an interaction's URL
// holds its token) or the bot token.
func (r *run) describe(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return r.a.redact(ue.Op + ": " + r.describe(ue.Err))
	}
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Response != nil {
		s := "HTTP " + re.Response.Status
		if re.Message != nil && re.Message.Message != "" {
			s += ": " + re.Message.Message
		}
		return r.a.redact(s)
	}
	var rl *discordgo.RateLimitError
	if errors.As(err, &rl) && rl.RateLimit != nil && rl.TooManyRequests != nil {
		return "rate limited; retry after " + rl.RetryAfter.String()
	}
	return r.a.redact(err.Error())
}

// register overwrites the slash commands where they are not registered yet
// (r.unregistered: globally, or in each configured guild), so commands from
// older versions disappear. A place where it fails stays on the list. It
// reports whether a failure may pass by itself, worth retrying soon: a
// server or network error, or a rate limit outlasting the transport's
// retries; any other 4xx (a guild without the applications.commands scope)
// waits for the next connection. A rejected token is fatal.
func (r *run) register(ctx context.Context, appID string) (bool, error) {
	cmds := commands(r.a.svc.MaxQuestion())
	var failed []string
	soon := false
	for i, g := range r.unregistered {
		where := "global"
		if g != "" {
			where = "guild " + g
		}
		_, err := r.rest.ApplicationCommandBulkOverwrite(appID, g, cmds, discordgo.WithContext(ctx))
		switch {
		case err == nil:
			r.log.Info("discord: slash commands registered", "where", where, "commands", len(cmds))
		case unauthorized(err):
			return false, fmt.Errorf("%w (HTTP 401 registering commands)", ErrTokenRejected)
		case ctx.Err() != nil:
			r.unregistered = append(failed, r.unregistered[i:]...)
			return false, nil
		default:
			failed = append(failed, g)
			msg := "discord: slash commands not registered; was the bot invited with the applications.commands scope?"
			if mayPass(err) {
				msg = "discord: slash commands not registered"
				soon = true
			}
			r.log.Error(msg, "where", where, "error", r.describe(err))
			r.a.svc.Metrics().PlatformError(platform, "commands")
		}
	}
	r.unregistered = failed
	return soon, nil
}

// mayPass reports whether a failed request may succeed if sent again
// unchanged: anything but a 4xx other than 429.
func mayPass(err error) bool {
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Response != nil {
		code := re.Response.StatusCode
		return code == http.StatusTooManyRequests || code >= 500
	}
	return true
}

// shutdown stops taking questions, lets the replies queued and in flight
// finish for up to the grace (a rate-limit wait that would outlast it is
// given up at once), tells those who ask meanwhile that the bot is busy,
// and closes the gateway.
func (r *run) shutdown() {
	r.pool.Close()
	r.tr.drain(time.Now().Add(r.a.grace))
	timer := time.AfterFunc(r.a.grace, r.cancelWork)
	// After the grace the work context is cancelled and what is left
	// gives up at once, so these waits end.
	<-r.pool.Done()
	r.prompt.Close()
	<-r.prompt.Done()
	timer.Stop()
	r.cancelWork()
	r.stopUnhang()
	r.gw.Close() // sends close code 1000: the session ends
	if t, ok := r.tr.next.(*http.Transport); ok {
		t.CloseIdleConnections()
	}
	r.log.Info("discord: stopped")
}
