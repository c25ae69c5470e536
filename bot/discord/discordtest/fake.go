// Package discordtest is a fake Discord for tests: the REST API and the
// gateway websocket on loopback, enough of both for a real discordgo client
// to connect, identify or resume, receive dispatches, and send replies.
//
// The gateway speaks the protocol a bot sees: HELLO on connect, READY after
// IDENTIFY (closing with 4004 for a wrong token and 4014 for privileged
// intents), RESUMED after RESUME with the missed events replayed first,
// heartbeat ACKs, and on demand op 7 (reconnect), op 9 (invalid session),
// a close code, or a dropped TCP connection. The REST API records every
// request, checks the bot token where Discord does, enforces Discord's
// message limits, allowed_mentions rules and slash command rules with a
// 400 like Discord, and lets a test override any response (a 429, a 503).
//
// Interactions dispatched as INTERACTION_CREATE are tracked the way Discord
// does: one initial response each (type 4, a message, or type 5, deferred),
// within InteractionWindow of the dispatch, else 404 Unknown interaction; a
// second one is a 400 (already acknowledged). The interaction's webhook
// (editing @original, follow-ups) answers only after the initial response,
// and only within TokenLifetime.
//
// Tests wait for what the client sends with WaitRequest and WaitFrame, which
// block on the server's state changing, never on a timer, up to Deadline.
package discordtest

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/gorilla/websocket"
)

// Deadline is how long the Wait methods wait before failing the test. It is
// generous because CI runs the race detector on two cores; a passing test
// never waits for it.
var Deadline = 20 * time.Second

// APIVersion is the REST path prefix the server serves, matching discordgo.
const APIVersion = "v9"

// Gateway opcodes used by the fake.
const (
	OpDispatch       = 0
	OpHeartbeat      = 1
	OpIdentify       = 2
	OpResume         = 6
	OpReconnect      = 7
	OpInvalidSession = 9
	OpHello          = 10
	OpHeartbeatACK   = 11
	// OpClientClose marks a Frame that records a close frame from the
	// client rather than a payload; Frame.CloseCode holds its code.
	OpClientClose = -1
)

// Privileged intents: Discord closes with 4014 when a bot asks for one it
// has not been granted. The fake grants none.
const privilegedIntents = 1<<1 | 1<<8 | 1<<15

// Server is a fake Discord. Create it with New; it closes with the test.
type Server struct {
	// Token is the bot token the server accepts, without the "Bot " prefix.
	Token string
	// BotID and AppID are the bot user's and its application's IDs.
	BotID, AppID string
	// InteractionWindow is how long after its dispatch an interaction
	// accepts its initial response: three seconds, as on Discord.
	// TokenLifetime is how long after its dispatch an interaction's
	// webhook answers: fifteen minutes, as on Discord. Set them before
	// dispatching.
	InteractionWindow, TokenLifetime time.Duration

	t    testing.TB
	http *httptest.Server
	tls  bool
	up   websocket.Upgrader

	mu       sync.Mutex
	changed  chan struct{} // closed and replaced on every state change
	requests []*Request
	frames   []*Frame
	hook     func(*Request) *Response
	rejected bool // every IDENTIFY and RESUME now closes with 4004
	closeID  int  // close IDENTIFY with this code
	closeRes int  // close the next RESUME with this code
	conns    []*conn
	sess     *session // the current session; nil before READY or after op 9
	sessions map[string]*session
	nextID   int

	interactions map[string]*interaction // by ID
	tokens       map[string]*interaction // by token
}

// interaction is the fake's record of one dispatched interaction.
type interaction struct {
	id, token  string
	dispatched time.Time
	response   int    // the initial response's type; 0 before it
	original   string // the ID of the response's message
}

// Option configures a Server.
type Option func(*Server)

// WithCloseOnIdentify makes the gateway answer IDENTIFY by closing the
// connection with code, as Discord does with 4014 for disallowed intents.
func WithCloseOnIdentify(code int) Option {
	return func(s *Server) { s.closeID = code }
}

// WithToken sets the bot token the server accepts (default "fake-bot-token").
func WithToken(token string) Option {
	return func(s *Server) { s.Token = token }
}

// WithTLS serves the REST API over HTTPS and the gateway over wss, with a
// certificate that clients configured with TLSConfig trust.
func WithTLS() Option {
	return func(s *Server) { s.tls = true }
}

// HeartbeatInterval is the interval the fake announces in HELLO, in
// milliseconds: short enough that heartbeats happen during a test, long
// enough to be realistic traffic.
const HeartbeatInterval = 1000

// New starts a fake Discord on loopback. It closes when the test ends.
func New(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := &Server{
		Token:    "fake-bot-token",
		BotID:    "100000000000000001",
		AppID:    "100000000000000001",
		t:        t,
		changed:  make(chan struct{}),
		sessions: make(map[string]*session),

		InteractionWindow: 3 * time.Second,
		TokenLifetime:     15 * time.Minute,
		interactions:      make(map[string]*interaction),
		tokens:            make(map[string]*interaction),
	}
	for _, o := range opts {
		o(s)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/api/"+APIVersion+"/", s.serveREST)
	mux.HandleFunc("/ws/", s.serveGateway)
	mux.HandleFunc("/ws", s.serveGateway)
	s.http = httptest.NewUnstartedServer(mux)
	if s.tls {
		s.http.StartTLS()
	} else {
		s.http.Start()
	}
	t.Cleanup(s.Close)
	return s
}

// TLSConfig returns a TLS configuration trusting the server's certificate
// (WithTLS).
func (s *Server) TLSConfig() *tls.Config {
	roots := x509.NewCertPool()
	if c := s.http.Certificate(); c != nil {
		roots.AddCert(c)
	}
	return &tls.Config{RootCAs: roots}
}

// URL returns the REST API base, the value for storybot's discord.api_url.
func (s *Server) URL() string { return s.http.URL + "/api/" + APIVersion }

// Close drops every gateway connection and stops the server.
func (s *Server) Close() {
	s.mu.Lock()
	conns := append([]*conn(nil), s.conns...)
	s.mu.Unlock()
	for _, c := range conns {
		c.ws.Close()
	}
	s.http.CloseClientConnections()
	s.http.Close()
}

// ---- waiting ----

// notifyLocked wakes every waiter. s.mu must be held.
func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// waitUntil calls cond under s.mu each time the state changes until it
// returns true, and fails the test after Deadline.
func (s *Server) waitUntil(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.NewTimer(Deadline)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		ok := cond()
		ch := s.changed
		s.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-ch:
		case <-deadline.C:
			t.Fatalf("discordtest: gave up waiting for %s after %v", what, Deadline)
		}
	}
}

// ---- REST ----

// Request is one REST request the server received.
type Request struct {
	Method string
	Path   string // after /api/v9, e.g. "/channels/1/messages"
	Query  string
	Header http.Header
	Body   []byte
	At     time.Time
	Status int // the status the server answered with

	claimed bool
}

// JSON decodes the request body into v and fails the test if it cannot.
func (r *Request) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("discordtest: %s %s: body %q: %v", r.Method, r.Path, r.Body, err)
	}
}

func (r *Request) String() string { return r.Method + " " + r.Path }

// Response overrides the server's answer to one request. With Status 0
// the server answers as it would have, with Header added: a 200 that says
// X-RateLimit-Remaining: 0, say.
type Response struct {
	Status int
	Header http.Header
	Body   any // encoded as JSON; nil for no body
}

// RateLimited returns the 429 Discord sends, asking to retry after d.
func RateLimited(d time.Duration, global bool) *Response {
	secs := d.Seconds()
	h := http.Header{}
	h.Set("Retry-After", strconv.FormatFloat(secs, 'f', -1, 64))
	if global {
		h.Set("X-RateLimit-Global", "true")
		h.Set("X-RateLimit-Scope", "global")
	}
	return &Response{Status: http.StatusTooManyRequests, Header: h, Body: map[string]any{
		"message": "You are being rate limited.", "retry_after": secs, "global": global,
	}}
}

// OnREST installs hook, which sees every REST request first and may return
// a Response to send instead of the normal one (nil: answer normally).
// hook runs with no lock held.
func (s *Server) OnREST(hook func(*Request) *Response) {
	s.mu.Lock()
	s.hook = hook
	s.mu.Unlock()
}

// Match selects requests in WaitRequest and Requests.
type Match func(*Request) bool

// Send matches a message sent to a channel.
func Send(channelID string) Match {
	return func(r *Request) bool {
		return r.Method == http.MethodPost && r.Path == "/channels/"+channelID+"/messages"
	}
}

// Callback matches the response to an interaction.
func Callback(interactionID string) Match {
	return func(r *Request) bool {
		return r.Method == http.MethodPost && strings.HasPrefix(r.Path, "/interactions/"+interactionID+"/") &&
			strings.HasSuffix(r.Path, "/callback")
	}
}

// Interaction response types.
const (
	ResponseMessage  = 4 // CHANNEL_MESSAGE_WITH_SOURCE
	ResponseDeferred = 5 // DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE
)

// CallbackType matches the response of type typ (ResponseMessage,
// ResponseDeferred) to an interaction.
func CallbackType(interactionID string, typ int) Match {
	cb := Callback(interactionID)
	return func(r *Request) bool { return cb(r) && r.CallbackType() == typ }
}

// CallbackType returns the type of the interaction response r sent, or 0
// when r is not an interaction response.
func (r *Request) CallbackType() int {
	if r.Method != http.MethodPost || !strings.HasPrefix(r.Path, "/interactions/") || !strings.HasSuffix(r.Path, "/callback") {
		return 0
	}
	var cb struct {
		Type int `json:"type"`
	}
	json.Unmarshal(r.Body, &cb)
	return cb.Type
}

// Followup matches a follow-up message to an interaction, by its token.
func Followup(token string) Match {
	return func(r *Request) bool {
		return r.Method == http.MethodPost && strings.HasPrefix(r.Path, "/webhooks/") && strings.HasSuffix(r.Path, "/"+token)
	}
}

// EditOriginal matches an edit of an interaction's initial response (PATCH
// /webhooks/{application}/{token}/messages/@original), by its token.
func EditOriginal(token string) Match {
	return func(r *Request) bool {
		return r.Method == http.MethodPatch && strings.HasPrefix(r.Path, "/webhooks/") &&
			strings.HasSuffix(r.Path, "/"+token+"/messages/@original")
	}
}

// Commands matches a bulk overwrite of application commands: global when
// guildID is "", else in that guild.
func Commands(appID, guildID string) Match {
	path := "/applications/" + appID + "/commands"
	if guildID != "" {
		path = "/applications/" + appID + "/guilds/" + guildID + "/commands"
	}
	return func(r *Request) bool { return r.Method == http.MethodPut && r.Path == path }
}

// OK narrows m to requests the server answered with a 2xx status.
func OK(m Match) Match {
	return func(r *Request) bool { return m(r) && r.Status >= 200 && r.Status < 300 }
}

// WaitRequest waits for a request matching m that no earlier WaitRequest
// returned, and returns it.
func (s *Server) WaitRequest(t testing.TB, m Match) *Request {
	t.Helper()
	var got *Request
	s.waitUntil(t, "a matching REST request", func() bool {
		for _, r := range s.requests {
			if !r.claimed && m(r) {
				r.claimed = true
				got = r
				return true
			}
		}
		return false
	})
	return got
}

// Requests returns every request so far that matches m.
func (s *Server) Requests(m Match) []*Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*Request
	for _, r := range s.requests {
		if m(r) {
			out = append(out, r)
		}
	}
	return out
}

func (s *Server) serveREST(w http.ResponseWriter, hr *http.Request) {
	body, _ := io.ReadAll(hr.Body)
	r := &Request{
		Method: hr.Method,
		Path:   strings.TrimPrefix(hr.URL.Path, "/api/"+APIVersion),
		Query:  hr.URL.RawQuery,
		Header: hr.Header.Clone(),
		Body:   body,
		At:     time.Now(),
	}
	s.mu.Lock()
	hook := s.hook
	s.mu.Unlock()

	var resp *Response
	if hook != nil {
		resp = hook(r)
	}
	switch {
	case resp == nil:
		resp = s.route(r)
	case resp.Status == 0:
		extra := resp.Header
		resp = s.route(r)
		if resp.Header == nil {
			resp.Header = http.Header{}
		}
		for k, v := range extra {
			resp.Header[k] = v
		}
	}
	r.Status = resp.Status

	s.mu.Lock()
	s.requests = append(s.requests, r)
	s.notifyLocked()
	s.mu.Unlock()

	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	if resp.Body == nil {
		w.WriteHeader(resp.Status)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(resp.Status)
	json.NewEncoder(w).Encode(resp.Body)
}

func apiError(status, code int, msg string) *Response {
	return &Response{Status: status, Body: map[string]any{"message": msg, "code": code}}
}

// route answers a request the way Discord would.
func (s *Server) route(r *Request) *Response {
	parts := strings.Split(strings.Trim(r.Path, "/"), "/")
	authed := r.Header.Get("Authorization") == "Bot "+s.Token
	s.mu.Lock()
	if s.rejected {
		authed = false
	}
	s.mu.Unlock()
	unauthorized := apiError(http.StatusUnauthorized, 0, "401: Unauthorized")

	switch {
	case r.Method == http.MethodGet && (r.Path == "/gateway" || r.Path == "/gateway/bot"):
		if r.Path == "/gateway/bot" && !authed {
			return unauthorized
		}
		return &Response{Status: http.StatusOK, Body: map[string]any{
			"url": "ws" + strings.TrimPrefix(s.http.URL, "http") + "/ws", "shards": 1,
		}}

	case r.Method == http.MethodPut && len(parts) >= 3 && parts[0] == "applications" && parts[len(parts)-1] == "commands":
		if !authed {
			return unauthorized
		}
		if parts[1] != s.AppID {
			return apiError(http.StatusForbidden, 50001, "Missing Access")
		}
		var cmds []map[string]any
		if err := json.Unmarshal(r.Body, &cmds); err != nil {
			return apiError(http.StatusBadRequest, 50035, "Invalid Form Body")
		}
		if msg := checkCommands(r.Body); msg != "" {
			return apiError(http.StatusBadRequest, 50035, "Invalid Form Body: "+msg)
		}
		for i, c := range cmds {
			c["id"] = fmt.Sprintf("9000%d", i)
			c["application_id"] = s.AppID
		}
		return &Response{Status: http.StatusOK, Body: cmds}

	case r.Method == http.MethodPost && len(parts) == 3 && parts[0] == "channels" && parts[2] == "messages":
		if !authed {
			return unauthorized
		}
		if msg := checkMessage(r.Body); msg != "" {
			return apiError(http.StatusBadRequest, 50035, "Invalid Form Body: "+msg)
		}
		return &Response{Status: http.StatusOK, Body: s.created(parts[1], r.Body)}

	case r.Method == http.MethodPost && len(parts) == 4 && parts[0] == "interactions" && parts[3] == "callback":
		return s.callback(parts[1], parts[2], r.Body)

	case len(parts) >= 3 && parts[0] == "webhooks":
		if resp := s.webhookLive(parts[1], parts[2]); resp != nil {
			return resp
		}
		switch {
		case r.Method == http.MethodPost && len(parts) == 3: // follow-up
			if msg := checkMessage(r.Body); msg != "" {
				return apiError(http.StatusBadRequest, 50035, "Invalid Form Body: "+msg)
			}
			return &Response{Status: http.StatusOK, Body: s.created("", r.Body)}
		case r.Method == http.MethodPatch && len(parts) == 5 && parts[3] == "messages":
			if msg := checkMessage(r.Body); msg != "" {
				return apiError(http.StatusBadRequest, 50035, "Invalid Form Body: "+msg)
			}
			m := s.created("", r.Body)
			if parts[4] == "@original" {
				s.mu.Lock()
				m["id"] = s.tokens[parts[2]].original
				s.mu.Unlock()
			}
			return &Response{Status: http.StatusOK, Body: m}
		case r.Method == http.MethodDelete && len(parts) == 5 && parts[3] == "messages":
			return &Response{Status: http.StatusNoContent}
		}
	}
	return apiError(http.StatusNotFound, 0, "404: Not Found")
}

// callback answers an interaction's initial response (POST
// /interactions/{id}/{token}/callback) as Discord does.
func (s *Server) callback(id, token string, body []byte) *Response {
	var cb struct {
		Type int             `json:"type"`
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(body, &cb); err != nil {
		return apiError(http.StatusBadRequest, 50035, "Invalid Form Body")
	}
	hasData := len(cb.Data) > 0 && string(cb.Data) != "null"
	switch cb.Type {
	case ResponseMessage:
		if !hasData {
			return apiError(http.StatusBadRequest, 50035, "Invalid Form Body: data: a message response needs data")
		}
		if msg := checkMessage(cb.Data); msg != "" {
			return apiError(http.StatusBadRequest, 50035, "Invalid Form Body: "+msg)
		}
	case ResponseDeferred:
		// The message comes later; data may only say how it will show.
		if hasData {
			var d map[string]json.RawMessage
			if err := json.Unmarshal(cb.Data, &d); err != nil {
				return apiError(http.StatusBadRequest, 50035, "Invalid Form Body: data")
			}
			for k := range d {
				if k != "flags" {
					return apiError(http.StatusBadRequest, 50035, "Invalid Form Body: data."+k+": not allowed in a deferred response")
				}
			}
		}
	default:
		return apiError(http.StatusBadRequest, 50035, fmt.Sprintf("Invalid Form Body: type: %d is not a response to an application command", cb.Type))
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	in := s.interactions[id]
	switch {
	case in == nil || in.token != token || time.Since(in.dispatched) > s.InteractionWindow:
		return apiError(http.StatusNotFound, 10062, "Unknown interaction")
	case in.response != 0:
		return apiError(http.StatusBadRequest, 40060, "Interaction has already been acknowledged.")
	}
	in.response = cb.Type
	s.nextID++
	in.original = fmt.Sprintf("7%017d", s.nextID)
	return &Response{Status: http.StatusNoContent}
}

// webhookLive returns the error Discord answers a request on an
// interaction's webhook with, or nil: the webhook is the application's,
// the token an interaction's that has had its initial response, in its
// lifetime.
func (s *Server) webhookLive(appID, token string) *Response {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := s.tokens[token]
	switch {
	case appID != s.AppID || in == nil || in.response == 0:
		return apiError(http.StatusNotFound, 10015, "Unknown Webhook")
	case time.Since(in.dispatched) > s.TokenLifetime:
		return apiError(http.StatusUnauthorized, 50027, "Invalid Webhook Token")
	}
	return nil
}

// created returns the message object Discord answers a send with.
func (s *Server) created(channelID string, body []byte) map[string]any {
	var m map[string]any
	json.Unmarshal(body, &m)
	if m == nil {
		m = map[string]any{}
	}
	s.mu.Lock()
	s.nextID++
	id := s.nextID
	s.mu.Unlock()
	m["id"] = fmt.Sprintf("7%017d", id)
	m["channel_id"] = channelID
	m["author"] = map[string]any{"id": s.BotID, "username": "storybot", "bot": true}
	delete(m, "allowed_mentions")
	delete(m, "message_reference")
	return m
}

// Discord's limits on one message.
const (
	MaxContent     = 2000
	MaxEmbeds      = 10
	MaxDescription = 4096
	MaxFields      = 25
	MaxFieldName   = 256
	MaxFieldValue  = 1024
	MaxEmbedTotal  = 6000
)

// Message is the part of a message payload the limits and tests look at.
type Message struct {
	Content         string  `json:"content"`
	Embeds          []Embed `json:"embeds"`
	Flags           int     `json:"flags"`
	AllowedMentions *struct {
		Parse       *[]string `json:"parse"`
		Users       []string  `json:"users"`
		Roles       []string  `json:"roles"`
		RepliedUser bool      `json:"replied_user"`
	} `json:"allowed_mentions"`
	Reference *struct {
		MessageID string `json:"message_id"`
		ChannelID string `json:"channel_id"`
	} `json:"message_reference"`
}

// Embed is one embed of a Message.
type Embed struct {
	Title       string  `json:"title"`
	Description string  `json:"description"`
	Fields      []Field `json:"fields"`
	Footer      *struct {
		Text string `json:"text"`
	} `json:"footer"`
	Author *struct {
		Name string `json:"name"`
	} `json:"author"`
}

// Field is one field of an Embed.
type Field struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// MentionsInert reports whether the message can ping no one: an
// allowed_mentions object with an empty parse list, no user or role IDs,
// and no ping of the author it replies to.
func (m Message) MentionsInert() bool {
	am := m.AllowedMentions
	return am != nil && am.Parse != nil && len(*am.Parse) == 0 &&
		len(am.Users) == 0 && len(am.Roles) == 0 && !am.RepliedUser
}

// Text returns everything a reader sees in the message: content, then each
// embed's title, description and fields.
func (m Message) Text() string {
	var b strings.Builder
	b.WriteString(m.Content)
	for _, e := range m.Embeds {
		b.WriteString("\n" + e.Title + "\n" + e.Description)
		for _, f := range e.Fields {
			b.WriteString("\n" + f.Name + "\n" + f.Value)
		}
	}
	return b.String()
}

// checkMessage returns what breaks Discord's limits in a message payload,
// or "" when it is within them.
func checkMessage(body []byte) string {
	var m Message
	if err := json.Unmarshal(body, &m); err != nil {
		return err.Error()
	}
	if am := m.AllowedMentions; am != nil {
		var parse []string
		if am.Parse != nil {
			parse = *am.Parse
		}
		for _, p := range parse {
			if p != "roles" && p != "users" && p != "everyone" {
				return fmt.Sprintf("allowed_mentions.parse: %q is not roles, users or everyone", p)
			}
		}
		if slices.Contains(parse, "users") && len(am.Users) > 0 {
			return "allowed_mentions: parse users and a users list are mutually exclusive"
		}
		if slices.Contains(parse, "roles") && len(am.Roles) > 0 {
			return "allowed_mentions: parse roles and a roles list are mutually exclusive"
		}
		if len(am.Users) > 100 || len(am.Roles) > 100 {
			return "allowed_mentions: more than 100 users or roles"
		}
	}
	n := utf8.RuneCountInString
	if n(m.Content) > MaxContent {
		return fmt.Sprintf("content: %d characters, over %d", n(m.Content), MaxContent)
	}
	if m.Content == "" && len(m.Embeds) == 0 {
		return "cannot send an empty message"
	}
	if len(m.Embeds) > MaxEmbeds {
		return fmt.Sprintf("%d embeds, over %d", len(m.Embeds), MaxEmbeds)
	}
	total := 0
	for i, e := range m.Embeds {
		if n(e.Description) > MaxDescription {
			return fmt.Sprintf("embeds[%d].description: %d characters, over %d", i, n(e.Description), MaxDescription)
		}
		if len(e.Fields) > MaxFields {
			return fmt.Sprintf("embeds[%d]: %d fields, over %d", i, len(e.Fields), MaxFields)
		}
		total += n(e.Title) + n(e.Description)
		for j, f := range e.Fields {
			if n(f.Name) > MaxFieldName || f.Name == "" {
				return fmt.Sprintf("embeds[%d].fields[%d].name: %d characters", i, j, n(f.Name))
			}
			if n(f.Value) > MaxFieldValue || f.Value == "" {
				return fmt.Sprintf("embeds[%d].fields[%d].value: %d characters", i, j, n(f.Value))
			}
			total += n(f.Name) + n(f.Value)
		}
		if e.Footer != nil {
			total += n(e.Footer.Text)
		}
		if e.Author != nil {
			total += n(e.Author.Name)
		}
	}
	if total > MaxEmbedTotal {
		return fmt.Sprintf("embeds: %d characters in all, over %d", total, MaxEmbedTotal)
	}
	return ""
}

// commandNameRE is Discord's rule for the name of a slash command or an
// option (less the scripts storybot does not use): 1-32 letters, digits,
// - _ or ', in lower case.
var commandNameRE = regexp.MustCompile(`^[-_'\p{Ll}\p{Lo}\p{N}]{1,32}$`)

// Discord's limits on slash commands.
const (
	MaxCommands          = 100 // chat input commands, globally or in one guild
	MaxCommandDesc       = 100
	MaxCommandOptions    = 25
	MaxCommandOptionDesc = 100
)

// checkCommands returns what breaks Discord's rules in a bulk overwrite of
// slash commands, or "" when it keeps them.
func checkCommands(body []byte) string {
	type option struct {
		Name        string `json:"name"`
		Description string `json:"description"`
		Required    bool   `json:"required"`
	}
	var cmds []struct {
		Name        string   `json:"name"`
		Description string   `json:"description"`
		Type        int      `json:"type"`
		Options     []option `json:"options"`
	}
	if err := json.Unmarshal(body, &cmds); err != nil {
		return err.Error()
	}
	if len(cmds) > MaxCommands {
		return fmt.Sprintf("%d commands, over %d", len(cmds), MaxCommands)
	}
	n := utf8.RuneCountInString
	names := map[string]bool{}
	for i, c := range cmds {
		if c.Type != 0 && c.Type != 1 {
			continue // user and message commands have no description
		}
		switch {
		case !commandNameRE.MatchString(c.Name):
			return fmt.Sprintf("%d.name: %q is not a valid command name", i, c.Name)
		case names[c.Name]:
			return fmt.Sprintf("%d.name: application command names must be unique (%q)", i, c.Name)
		case n(c.Description) < 1 || n(c.Description) > MaxCommandDesc:
			return fmt.Sprintf("%d.description: %d characters, want 1 to %d", i, n(c.Description), MaxCommandDesc)
		case len(c.Options) > MaxCommandOptions:
			return fmt.Sprintf("%d.options: %d, over %d", i, len(c.Options), MaxCommandOptions)
		}
		names[c.Name] = true
		optional := false
		for j, o := range c.Options {
			switch {
			case !commandNameRE.MatchString(o.Name):
				return fmt.Sprintf("%d.options.%d.name: %q is not a valid option name", i, j, o.Name)
			case n(o.Description) < 1 || n(o.Description) > MaxCommandOptionDesc:
				return fmt.Sprintf("%d.options.%d.description: %d characters, want 1 to %d", i, j, n(o.Description), MaxCommandOptionDesc)
			case o.Required && optional:
				return fmt.Sprintf("%d.options.%d: required options must be placed before non-required options", i, j)
			}
			optional = optional || !o.Required
		}
	}
	return ""
}

// DecodeMessage decodes the message a request sent: a channel message, a
// follow-up, an edit, or the data of an interaction callback.
func DecodeMessage(t testing.TB, r *Request) Message {
	t.Helper()
	var m Message
	if strings.HasSuffix(r.Path, "/callback") {
		var cb struct {
			Type int     `json:"type"`
			Data Message `json:"data"`
		}
		r.JSON(t, &cb)
		return cb.Data
	}
	r.JSON(t, &m)
	return m
}

// ---- gateway ----

// Frame is one payload the gateway received from the client, or a close
// frame (Op == OpClientClose).
type Frame struct {
	Op        int
	D         json.RawMessage
	Conn      int // which connection, counting from 1
	CloseCode int
	At        time.Time

	claimed bool
}

// Identify is the part of an IDENTIFY payload tests check. Token is left
// out on purpose: tests must not print it.
type Identify struct {
	Shard   *[2]int `json:"shard"`
	Intents int     `json:"intents"`
}

// Resume is the part of a RESUME payload tests check.
type Resume struct {
	SessionID string `json:"session_id"`
	Seq       int64  `json:"seq"`
}

// Decode decodes the frame's data into v.
func (f *Frame) Decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(f.D, v); err != nil {
		t.Fatalf("discordtest: op %d: %v", f.Op, err)
	}
}

// WaitFrame waits for a frame with opcode op that no earlier WaitFrame
// returned, and returns it. Heartbeats are recorded too.
func (s *Server) WaitFrame(t testing.TB, op int) *Frame {
	t.Helper()
	var got *Frame
	s.waitUntil(t, fmt.Sprintf("gateway op %d", op), func() bool {
		for _, f := range s.frames {
			if !f.claimed && f.Op == op {
				f.claimed = true
				got = f
				return true
			}
		}
		return false
	})
	return got
}

// Frames returns every frame so far with opcode op.
func (s *Server) Frames(op int) []*Frame {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*Frame
	for _, f := range s.frames {
		if f.Op == op {
			out = append(out, f)
		}
	}
	return out
}

// Connections returns how many gateway connections clients have opened.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

type conn struct {
	ws   *websocket.Conn
	n    int
	sess *session // set once READY or RESUMED was sent on it
}

type session struct {
	id     string
	seq    int64
	events []event
	conn   *conn // live connection, nil while the client is away
}

type event struct {
	seq int64
	typ string
	d   json.RawMessage
}

type payload struct {
	Op int             `json:"op"`
	D  json.RawMessage `json:"d"`
	S  *int64          `json:"s,omitempty"`
	T  string          `json:"t,omitempty"`
}

// writeLocked sends one payload on c. s.mu must be held: every write goes
// through the lock, which keeps replays, dispatches and ACKs in order.
func (s *Server) writeLocked(c *conn, op int, d any, seq int64, typ string) {
	raw, _ := json.Marshal(d)
	p := payload{Op: op, D: raw, T: typ}
	if op == OpDispatch {
		p.S = &seq
	}
	c.ws.WriteJSON(p) // an error means the client is gone; the read loop notices
}

func (s *Server) serveGateway(w http.ResponseWriter, r *http.Request) {
	ws, err := s.up.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	s.mu.Lock()
	c := &conn{ws: ws, n: len(s.conns) + 1}
	s.conns = append(s.conns, c)
	s.writeLocked(c, OpHello, map[string]any{"heartbeat_interval": HeartbeatInterval}, 0, "")
	s.notifyLocked()
	s.mu.Unlock()

	defer func() {
		s.mu.Lock()
		if c.sess != nil && c.sess.conn == c {
			c.sess.conn = nil
		}
		s.notifyLocked()
		s.mu.Unlock()
		ws.Close()
	}()
	for {
		_, data, err := ws.ReadMessage()
		if err != nil {
			if ce, ok := err.(*websocket.CloseError); ok {
				s.mu.Lock()
				s.frames = append(s.frames, &Frame{Op: OpClientClose, Conn: c.n, CloseCode: ce.Code, At: time.Now()})
				s.notifyLocked()
				s.mu.Unlock()
			}
			return
		}
		var p payload
		if err := json.Unmarshal(data, &p); err != nil {
			s.closeConn(c, 4002, "Error while decoding payload.")
			return
		}
		s.mu.Lock()
		s.frames = append(s.frames, &Frame{Op: p.Op, D: p.D, Conn: c.n, At: time.Now()})
		s.notifyLocked()
		s.mu.Unlock()
		if !s.handle(c, p) {
			return
		}
	}
}

// handle answers one client payload; it returns false when it closed c.
func (s *Server) handle(c *conn, p payload) bool {
	switch p.Op {
	case OpHeartbeat:
		s.mu.Lock()
		s.writeLocked(c, OpHeartbeatACK, nil, 0, "")
		s.mu.Unlock()

	case OpIdentify:
		var id struct {
			Token   string  `json:"token"`
			Intents int     `json:"intents"`
			Shard   *[2]int `json:"shard"`
		}
		json.Unmarshal(p.D, &id)
		s.mu.Lock()
		rejected, closeID := s.rejected, s.closeID
		s.mu.Unlock()
		switch {
		case closeID != 0:
			s.closeConn(c, closeID, "Closed on identify.")
			return false
		case rejected || strings.TrimPrefix(id.Token, "Bot ") != s.Token:
			s.closeConn(c, 4004, "Authentication failed.")
			return false
		case id.Intents&privilegedIntents != 0:
			s.closeConn(c, 4014, "Disallowed intent(s).")
			return false
		}
		s.mu.Lock()
		sess := &session{id: fmt.Sprintf("session-%d", len(s.sessions)+1), conn: c}
		s.sessions[sess.id] = sess
		s.sess = sess
		c.sess = sess
		sess.seq++
		ready := map[string]any{
			"v":                  9,
			"session_id":         sess.id,
			"resume_gateway_url": "ws" + strings.TrimPrefix(s.http.URL, "http") + "/ws",
			"user":               map[string]any{"id": s.BotID, "username": "storybot", "discriminator": "0", "bot": true},
			"application":        map[string]any{"id": s.AppID, "flags": 0},
			"guilds":             []any{},
			"private_channels":   []any{},
		}
		if id.Shard != nil {
			ready["shard"] = id.Shard
		}
		s.writeLocked(c, OpDispatch, ready, sess.seq, "READY")
		s.notifyLocked()
		s.mu.Unlock()

	case OpResume:
		var rp struct {
			Token     string `json:"token"`
			SessionID string `json:"session_id"`
			Seq       int64  `json:"seq"`
		}
		json.Unmarshal(p.D, &rp)
		s.mu.Lock()
		rejected, closeRes := s.rejected, s.closeRes
		s.closeRes = 0
		s.mu.Unlock()
		if rejected || strings.TrimPrefix(rp.Token, "Bot ") != s.Token {
			s.closeConn(c, 4004, "Authentication failed.")
			return false
		}
		if closeRes != 0 {
			s.closeConn(c, closeRes, "Closed on resume.")
			return false
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		sess := s.sessions[rp.SessionID]
		if sess == nil || sess != s.sess {
			s.writeLocked(c, OpInvalidSession, false, 0, "")
			return true
		}
		for _, e := range sess.events {
			if e.seq > rp.Seq {
				s.writeLocked(c, OpDispatch, e.d, e.seq, e.typ)
			}
		}
		sess.seq++
		s.writeLocked(c, OpDispatch, map[string]any{"_trace": []string{"fake"}}, sess.seq, "RESUMED")
		sess.conn = c
		c.sess = sess
		s.notifyLocked()
	}
	return true
}

func (s *Server) closeConn(c *conn, code int, reason string) {
	s.mu.Lock()
	c.ws.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason))
	s.mu.Unlock()
	c.ws.Close()
}

// current waits for a session that has a live connection.
func (s *Server) current(t testing.TB) *conn {
	t.Helper()
	var c *conn
	s.waitUntil(t, "a connected gateway session", func() bool {
		if s.sess != nil && s.sess.conn != nil {
			c = s.sess.conn
			return true
		}
		return false
	})
	return c
}

// WaitSession waits until a client has identified or resumed and returns
// the session ID.
func (s *Server) WaitSession(t testing.TB) string {
	t.Helper()
	s.current(t)
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sess.id
}

// Dispatch sends an event to the client. It waits for a session; when the
// session's connection is down, the event is kept and replayed on RESUME,
// as Discord does. It returns the event's sequence number.
func (s *Server) Dispatch(t testing.TB, typ string, d any) int64 {
	t.Helper()
	raw, err := json.Marshal(d)
	if err != nil {
		t.Fatalf("discordtest: dispatch %s: %v", typ, err)
	}
	var in struct {
		ID    string `json:"id"`
		Token string `json:"token"`
	}
	if typ == "INTERACTION_CREATE" {
		json.Unmarshal(raw, &in)
	}
	var seq int64
	s.waitUntil(t, "a gateway session to dispatch to", func() bool {
		if s.sess == nil {
			return false
		}
		if in.ID != "" && s.interactions[in.ID] == nil {
			// Discord's clock for the initial response starts now.
			rec := &interaction{id: in.ID, token: in.Token, dispatched: time.Now()}
			s.interactions[in.ID], s.tokens[in.Token] = rec, rec
		}
		s.sess.seq++
		seq = s.sess.seq
		s.sess.events = append(s.sess.events, event{seq: seq, typ: typ, d: json.RawMessage(raw)})
		if c := s.sess.conn; c != nil {
			s.writeLocked(c, OpDispatch, json.RawMessage(raw), seq, typ)
		}
		return true
	})
	return seq
}

// Redeliver sends the event numbered seq again under a new sequence
// number, live or on the next RESUME: Discord may deliver an event twice,
// and a bot must not answer it twice.
func (s *Server) Redeliver(t testing.TB, seq int64) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sess == nil {
		t.Fatal("discordtest: Redeliver with no session")
	}
	for _, e := range s.sess.events {
		if e.seq == seq {
			s.sess.seq++
			s.sess.events = append(s.sess.events, event{seq: s.sess.seq, typ: e.typ, d: e.d})
			if c := s.sess.conn; c != nil {
				s.writeLocked(c, OpDispatch, e.d, s.sess.seq, e.typ)
			}
			return
		}
	}
	t.Fatalf("discordtest: Redeliver: no event %d", seq)
}

// Drop closes the current gateway connection's socket without a close
// frame, as a network failure would.
func (s *Server) Drop(t testing.TB) {
	t.Helper()
	c := s.current(t)
	c.ws.Close()
	s.waitUntil(t, "the dropped connection to be noticed", func() bool {
		return c.sess == nil || c.sess.conn != c
	})
}

// SendFrame sends data to the client as one websocket message of type
// messageType (websocket.TextMessage, websocket.BinaryMessage), outside
// the session's sequence: a malformed payload, say. A message larger than
// the websocket library's write buffer goes out in several frames.
func (s *Server) SendFrame(t testing.TB, messageType int, data []byte) {
	t.Helper()
	c := s.current(t)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := c.ws.WriteMessage(messageType, data); err != nil {
		t.Fatalf("discordtest: send frame: %v", err)
	}
}

// Reconnect sends op 7: the client must close and reconnect, resuming.
func (s *Server) Reconnect(t testing.TB) {
	t.Helper()
	c := s.current(t)
	s.mu.Lock()
	s.writeLocked(c, OpReconnect, nil, 0, "")
	s.mu.Unlock()
}

// InvalidateSession ends the session and sends op 9 with d=false: the
// client must identify again for a new session.
func (s *Server) InvalidateSession(t testing.TB) {
	t.Helper()
	c := s.current(t)
	s.mu.Lock()
	s.sess.conn = nil
	s.sess = nil
	c.sess = nil
	s.writeLocked(c, OpInvalidSession, false, 0, "")
	s.notifyLocked()
	s.mu.Unlock()
}

// CloseWith closes the current gateway connection with a close code.
func (s *Server) CloseWith(t testing.TB, code int, reason string) {
	t.Helper()
	s.closeConn(s.current(t), code, reason)
}

// CloseNextResume makes the gateway answer the next RESUME by closing with
// code, as Discord does with 4009 when a session has timed out.
func (s *Server) CloseNextResume(code int) {
	s.mu.Lock()
	s.closeRes = code
	s.mu.Unlock()
}

// RejectToken makes the server treat the bot token as revoked: REST calls
// get 401 and every IDENTIFY or RESUME closes with 4004.
func (s *Server) RejectToken() {
	s.mu.Lock()
	s.rejected = true
	s.mu.Unlock()
}

// ---- event payloads ----

// User is a Discord user in a test event.
type User struct {
	ID       string `json:"id"`
	Username string `json:"username"`
	Bot      bool   `json:"bot,omitempty"`
}

// Message returns a MESSAGE_CREATE payload. guildID "" makes it a DM.
// mentions are the users the message mentions.
func MessageCreate(id, channelID, guildID string, author User, content string, mentions ...User) map[string]any {
	m := map[string]any{
		"id":         id,
		"channel_id": channelID,
		"author":     author,
		"content":    content,
		"type":       0,
		"mentions":   append([]User{}, mentions...),
		"timestamp":  "2025-01-01T00:00:00+00:00",
	}
	if guildID != "" {
		m["guild_id"] = guildID
		m["member"] = map[string]any{"roles": []string{}}
	}
	return m
}

// Bot returns the fake's bot user, for mentions.
func (s *Server) Bot() User { return User{ID: s.BotID, Username: "storybot", Bot: true} }

// SlashCommand returns an INTERACTION_CREATE payload for /name with string
// options. guildID "" makes it a DM.
func (s *Server) SlashCommand(id, token, channelID, guildID string, user User, name string, options map[string]string) map[string]any {
	var opts []map[string]any
	for k, v := range options {
		opts = append(opts, map[string]any{"name": k, "type": 3, "value": v})
	}
	in := map[string]any{
		"id":             id,
		"application_id": s.AppID,
		"type":           2,
		"token":          token,
		"version":        1,
		"channel_id":     channelID,
		"data":           map[string]any{"id": "9000", "name": name, "type": 1, "options": opts},
	}
	if guildID != "" {
		in["guild_id"] = guildID
		in["member"] = map[string]any{"user": user, "roles": []string{}}
	} else {
		in["user"] = user
	}
	return in
}
