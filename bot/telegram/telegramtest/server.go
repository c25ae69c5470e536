// Package telegramtest is a fake Telegram Bot API for tests. It listens on
// loopback and speaks the real wire protocol: requests to
// /bot<token>/<method> as multipart or URL-encoded forms, answers in the
// {"ok":…,"result":…} envelope, getUpdates with offsets and long polling,
// and webhook delivery with the secret token header. Tests queue updates
// with AddMessage and AddInline, inject failures with Fail, and read what
// the bot sent with Sent, Actions, Commands and InlineAnswers.
package telegramtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/go-telegram/bot/models"
)

// Sent is a message the bot sent.
type Sent struct {
	MessageID int
	ChatID    int64
	ThreadID  int
	Text      string // as sent, markup included
	ParseMode string
	Plain     string   // the text a reader sees
	Entities  []Entity // formatting, from the markup
	ReplyTo   int      // message_id replied to; 0 for none
}

// Action is a chat action the bot sent.
type Action struct {
	ChatID int64
	Action string
}

// InlineAnswer is the bot's answer to an inline query.
type InlineAnswer struct {
	QueryID string
	Results []InlineResult
}

// InlineResult is one article result of an inline answer.
type InlineResult struct {
	ID          string
	Title       string
	Description string
	Text        string // message_text, markup included
	Plain       string
	Entities    []Entity
}

// Webhook is the webhook the bot set.
type Webhook struct {
	URL            string
	SecretToken    string
	MaxConnections int
	AllowedUpdates []string
}

// Fault is a failure the server returns instead of handling one request.
type Fault struct {
	Status     int  // HTTP status and error_code: 429, 500, 502, 409…
	RetryAfter int  // seconds, for 429
	Malformed  bool // carry the request out, then answer 200 with a body cut short, as a response garbled on its way back
	Drop       bool // close the connection without a response
	Hang       bool // hold the request until the client gives up
}

// TooManyRequests is a 429 asking the client to wait retryAfter seconds.
func TooManyRequests(retryAfter int) Fault { return Fault{Status: 429, RetryAfter: retryAfter} }

// Common faults.
var (
	ServerError = Fault{Status: 502}
	Malformed   = Fault{Malformed: true}
	Dropped     = Fault{Drop: true}
	Hang        = Fault{Hang: true}
	Conflict    = Fault{Status: 409}
)

// Message describes a message a user sends, for AddMessage.
type Message struct {
	ChatID   int64  // default: UserID, a private chat
	ChatType string // "private" (default), "group", "supergroup", "channel"
	UserID   int64
	IsBot    bool
	Text     string
	ReplyTo  int // message_id in the same chat this replies to
}

// Server is the fake Bot API.
type Server struct {
	URL   string // the API's base URL, for WithServerURL or api_url
	Token string
	Bot   models.User

	srv     *httptest.Server
	closing chan struct{}

	mu        sync.Mutex
	changed   chan struct{} // closed and replaced on every change
	moved     uint64        // counts changes that are progress (see progress)
	updates   []*models.Update
	nextID    int64
	confirmed int64 // updates with lower IDs are confirmed
	messages  map[int64]map[int]*models.Message
	chats     map[int64]models.Chat
	nextMsg   int
	sent      []Sent
	actions   []Action
	commands  []models.BotCommand
	inline    []InlineAnswer
	queries   map[string]bool // inline query ID → answered
	webhook   *Webhook
	faults    map[string][]Fault
	calls     map[string]int
	offsets   []int64
}

// New starts a fake Bot API for a bot with token, closed when tb ends.
func New(tb testing.TB, token string) *Server {
	tb.Helper()
	id, _ := strconv.ParseInt(strings.SplitN(token, ":", 2)[0], 10, 64)
	s := &Server{
		Token:     token,
		Bot:       models.User{ID: id, IsBot: true, FirstName: "Storybot", Username: "storybot_test_bot"},
		closing:   make(chan struct{}),
		changed:   make(chan struct{}),
		nextID:    700000,
		confirmed: 0,
		messages:  make(map[int64]map[int]*models.Message),
		chats:     make(map[int64]models.Chat),
		queries:   make(map[string]bool),
		faults:    make(map[string][]Fault),
		calls:     make(map[string]int),
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	tb.Cleanup(s.Close)
	return s
}

// Close stops the server, ending long polls.
func (s *Server) Close() {
	select {
	case <-s.closing:
		return
	default:
	}
	close(s.closing)
	s.srv.CloseClientConnections()
	s.srv.Close()
}

func (s *Server) notify() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// progress notes a change that moves things on: an update queued or
// confirmed, a message or answer sent, a fault used. A getUpdates that
// only returns what the bot already holds is not progress.
func (s *Server) progress() {
	s.moved++
	s.notify()
}

// Stall is how long Wait waits with no progress before it fails.
const Stall = 20 * time.Second

// Wait blocks until cond holds, checking it after every change to the
// server's state. It fails tb when nothing has moved on for Stall (no
// update queued or confirmed, no message sent, no fault used): on a busy
// machine a long wait that keeps moving is slow, not stuck.
func (s *Server) Wait(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.NewTimer(Stall)
	defer deadline.Stop()
	var seen uint64
	for {
		s.mu.Lock()
		ch, moved := s.changed, s.moved
		s.mu.Unlock()
		if cond() {
			return
		}
		if moved != seen {
			seen = moved
			if !deadline.Stop() {
				<-deadline.C
			}
			deadline.Reset(Stall)
		}
		select {
		case <-ch:
		case <-deadline.C:
			tb.Fatalf("timed out waiting for %s: nothing moved on for %s", what, Stall)
		}
	}
}

// WaitSent waits until the bot has sent at least n messages and returns them.
func (s *Server) WaitSent(tb testing.TB, n int) []Sent {
	tb.Helper()
	s.Wait(tb, fmt.Sprintf("%d sent messages", n), func() bool { return s.SentCount() >= n })
	return s.Sent()
}

// AddMessage queues an update carrying a message from a user and returns
// the update's ID and the message's ID. Entities (commands, mentions) are
// marked as Telegram marks them.
func (s *Server) AddMessage(m Message) (updateID int64, messageID int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m.ChatType == "" {
		m.ChatType = "private"
	}
	if m.ChatID == 0 {
		m.ChatID = m.UserID
	}
	chat := models.Chat{ID: m.ChatID, Type: models.ChatType(m.ChatType)}
	if m.ChatType != "private" {
		chat.Title = "Test group"
	} else {
		chat.FirstName = "User"
	}
	s.chats[m.ChatID] = chat
	s.nextMsg++
	msg := &models.Message{
		ID:       s.nextMsg,
		From:     &models.User{ID: m.UserID, IsBot: m.IsBot, FirstName: "User" + strconv.FormatInt(m.UserID, 10)},
		Date:     int(time.Now().Unix()),
		Chat:     chat,
		Text:     m.Text,
		Entities: entities(m.Text),
	}
	if m.ReplyTo != 0 {
		if r := s.messages[m.ChatID][m.ReplyTo]; r != nil {
			c := *r
			c.ReplyToMessage = nil
			msg.ReplyToMessage = &c
		}
	}
	s.store(msg)
	return s.addLocked(&models.Update{Message: msg}), msg.ID
}

// AddInline queues an inline query from a user and returns the update's
// and the query's IDs.
func (s *Server) AddInline(userID int64, query string) (updateID int64, queryID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	queryID = fmt.Sprintf("q%d", s.nextID)
	s.queries[queryID] = false
	u := &models.Update{InlineQuery: &models.InlineQuery{
		ID: queryID, From: &models.User{ID: userID, FirstName: "User"}, Query: query, ChatType: "sender",
	}}
	return s.addLocked(u), queryID
}

// AddUpdate queues u as it is, with the next update ID.
func (s *Server) AddUpdate(u *models.Update) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addLocked(u)
}

func (s *Server) addLocked(u *models.Update) int64 {
	s.nextID++
	u.ID = s.nextID
	s.updates = append(s.updates, u)
	s.progress()
	return u.ID
}

func (s *Server) store(m *models.Message) {
	if s.messages[m.Chat.ID] == nil {
		s.messages[m.Chat.ID] = make(map[int]*models.Message)
	}
	s.messages[m.Chat.ID][m.ID] = m
}

// Fail makes the next calls of method fail with faults, one per call.
func (s *Server) Fail(method string, faults ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[method] = append(s.faults[method], faults...)
}

// Heal drops the unused faults of method.
func (s *Server) Heal(method string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.faults, method)
	s.progress()
}

// Faults returns how many injected faults for method are still unused.
func (s *Server) Faults(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.faults[method])
}

// Sent returns the messages the bot sent, in order.
func (s *Server) Sent() []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Sent(nil), s.sent...)
}

// SentCount returns how many messages the bot sent.
func (s *Server) SentCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.sent)
}

// Actions returns the chat actions the bot sent.
func (s *Server) Actions() []Action {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Action(nil), s.actions...)
}

// Commands returns the command menu the bot set.
func (s *Server) Commands() []models.BotCommand {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]models.BotCommand(nil), s.commands...)
}

// InlineAnswers returns the bot's answers to inline queries.
func (s *Server) InlineAnswers() []InlineAnswer {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]InlineAnswer(nil), s.inline...)
}

// Calls returns how many requests method got (faults included).
func (s *Server) Calls(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[method]
}

// Offsets returns the offset of every getUpdates call, in order.
func (s *Server) Offsets() []int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]int64(nil), s.offsets...)
}

// Pending returns how many updates are not confirmed yet.
func (s *Server) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.pendingLocked(1 << 30))
}

// Unconfirm forgets confirmations back to update id, as if the bot's last
// getUpdates never arrived: those updates are delivered again.
func (s *Server) Unconfirm(id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.confirmed = min(s.confirmed, id)
	s.progress()
}

// Updates returns every update queued so far.
func (s *Server) Updates() []*models.Update {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*models.Update(nil), s.updates...)
}

// Webhook returns the webhook the bot set, or nil.
func (s *Server) Webhook() *Webhook {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.webhook == nil {
		return nil
	}
	w := *s.webhook
	return &w
}

// pendingLocked returns up to limit unconfirmed updates. Updates are kept
// in ID order.
func (s *Server) pendingLocked(limit int) []*models.Update {
	i := sort.Search(len(s.updates), func(i int) bool { return s.updates[i].ID >= s.confirmed })
	p := s.updates[i:]
	return append([]*models.Update(nil), p[:min(limit, len(p))]...)
}

// DeliverWebhook posts every pending update to the webhook, as Telegram
// does, to base (the bot's listener, standing in for the public URL's host)
// plus the webhook URL's path, with the secret token header. An update is
// confirmed on a 2xx answer; delivery stops at the first failure.
func (s *Server) DeliverWebhook(ctx context.Context, base string) (int, error) {
	w := s.Webhook()
	if w == nil {
		return 0, errors.New("no webhook set")
	}
	n := 0
	for {
		s.mu.Lock()
		p := s.pendingLocked(1)
		s.mu.Unlock()
		if len(p) == 0 {
			return n, nil
		}
		status, err := s.PostWebhook(ctx, base, w.SecretToken, p[0])
		if err != nil {
			return n, err
		}
		if status/100 != 2 {
			return n, fmt.Errorf("webhook answered %d", status)
		}
		s.mu.Lock()
		s.confirmed = max(s.confirmed, p[0].ID+1)
		s.progress()
		s.mu.Unlock()
		n++
	}
}

// PostWebhook posts u to the webhook with secret and returns the status.
func (s *Server) PostWebhook(ctx context.Context, base, secret string, u *models.Update) (int, error) {
	body, _ := json.Marshal(u)
	return s.PostWebhookBody(ctx, base, secret, body)
}

// PostWebhookBody posts body, as it is, to the webhook with secret and
// returns the status.
func (s *Server) PostWebhookBody(ctx context.Context, base, secret string, body []byte) (int, error) {
	w := s.Webhook()
	path := "/"
	if w != nil {
		if i := strings.Index(strings.TrimPrefix(strings.TrimPrefix(w.URL, "https://"), "http://"), "/"); i >= 0 {
			rest := strings.TrimPrefix(strings.TrimPrefix(w.URL, "https://"), "http://")
			path = rest[i:]
		}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+path, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

// apiError is a Bot API error.
type apiError struct {
	code       int
	desc       string
	retryAfter int
}

func badRequest(format string, args ...any) *apiError {
	return &apiError{code: 400, desc: "Bad Request: " + fmt.Sprintf(format, args...)}
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	token, method, ok := strings.Cut(strings.TrimPrefix(r.URL.Path, "/bot"), "/")
	if !strings.HasPrefix(r.URL.Path, "/bot") || !ok {
		writeJSON(w, http.StatusNotFound, map[string]any{"ok": false, "error_code": 404, "description": "Not Found"})
		return
	}
	if token != s.Token {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"ok": false, "error_code": 401, "description": "Unauthorized"})
		return
	}
	body, rerr := io.ReadAll(io.LimitReader(r.Body, 64<<20))
	if rerr != nil {
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	if len(body) == 0 { // a method without parameters
		r.Form, r.PostForm = url.Values{}, url.Values{}
	} else if err := r.ParseMultipartForm(32 << 20); err != nil {
		if !errors.Is(err, http.ErrNotMultipart) {
			writeError(w, badRequest("bad form: %v", err))
			return
		}
		if err := r.ParseForm(); err != nil {
			writeError(w, badRequest("bad form: %v", err))
			return
		}
	}

	s.mu.Lock()
	s.calls[method]++
	var fault *Fault
	if f := s.faults[method]; len(f) > 0 {
		fault = &f[0]
		s.faults[method] = f[1:]
		s.progress()
	} else {
		s.notify()
	}
	s.mu.Unlock()
	if fault != nil && !fault.Malformed {
		s.fail(w, r, *fault)
		return
	}
	if fault != nil {
		w = &garbled{ResponseWriter: w}
	}

	var result any
	var err *apiError
	switch method {
	case "getMe":
		result = s.Bot
	case "getUpdates":
		result, err = s.getUpdates(r)
		if result == nil && err == nil {
			return // client went away
		}
	case "sendMessage":
		result, err = s.sendMessage(r)
	case "sendChatAction":
		result, err = s.sendChatAction(r)
	case "setMyCommands":
		result, err = s.setMyCommands(r)
	case "answerInlineQuery":
		result, err = s.answerInlineQuery(r)
	case "setWebhook":
		result, err = s.setWebhook(r)
	case "deleteWebhook":
		s.mu.Lock()
		s.webhook = nil
		if r.FormValue("drop_pending_updates") == "true" {
			s.confirmed = s.nextID + 1
		}
		s.progress()
		s.mu.Unlock()
		result = true
	case "getWebhookInfo":
		s.mu.Lock()
		info := map[string]any{"url": "", "pending_update_count": len(s.pendingLocked(1 << 30))}
		if s.webhook != nil {
			info["url"] = s.webhook.URL
		}
		s.mu.Unlock()
		result = info
	default:
		err = &apiError{code: 404, desc: "Not Found: method not found"}
	}
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"ok": true, "result": result})
}

// garbled writes a 200 whatever the status, and only the first bytes of
// the body: the request was carried out, the response lost its end.
type garbled struct {
	http.ResponseWriter
	wrote bool
}

func (g *garbled) WriteHeader(int) {}

func (g *garbled) Write(b []byte) (int, error) {
	if !g.wrote {
		g.wrote = true
		g.ResponseWriter.Write(b[:min(len(b), 9)])
	}
	return len(b), nil
}

func (s *Server) fail(w http.ResponseWriter, r *http.Request, f Fault) {
	switch {
	case f.Drop:
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return
			}
		}
		panic(http.ErrAbortHandler)
	case f.Hang:
		select {
		case <-r.Context().Done():
		case <-s.closing:
		}
	case f.Status == 409:
		writeError(w, &apiError{code: 409, desc: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"})
	case f.Status == 429:
		writeError(w, &apiError{code: 429, desc: fmt.Sprintf("Too Many Requests: retry after %d", f.RetryAfter), retryAfter: f.RetryAfter})
	case f.Status >= 500:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(f.Status)
		w.Write([]byte("<html><body><h1>" + http.StatusText(f.Status) + "</h1></body></html>"))
	default:
		writeError(w, &apiError{code: f.Status, desc: http.StatusText(f.Status)})
	}
}

func (s *Server) getUpdates(r *http.Request) (any, *apiError) {
	offset, _ := strconv.ParseInt(r.FormValue("offset"), 10, 64)
	limit, _ := strconv.Atoi(r.FormValue("limit"))
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	timeout, _ := strconv.Atoi(r.FormValue("timeout"))
	deadline := time.NewTimer(time.Duration(timeout) * time.Second)
	defer deadline.Stop()

	s.mu.Lock()
	if s.webhook != nil {
		s.mu.Unlock()
		return nil, &apiError{code: 409, desc: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"}
	}
	s.offsets = append(s.offsets, offset)
	if offset > s.confirmed {
		s.confirmed = offset
		s.progress()
	} else {
		s.notify()
	}
	for {
		p := s.pendingLocked(limit)
		if len(p) > 0 || timeout <= 0 {
			s.mu.Unlock()
			if p == nil {
				p = []*models.Update{}
			}
			return p, nil
		}
		ch := s.changed
		s.mu.Unlock()
		select {
		case <-ch:
		case <-deadline.C:
			timeout = 0
		case <-r.Context().Done():
			return nil, nil
		case <-s.closing:
			return nil, nil
		}
		s.mu.Lock()
	}
}

func (s *Server) chat(r *http.Request) (int64, *apiError) {
	id, err := strconv.ParseInt(r.FormValue("chat_id"), 10, 64)
	if err != nil {
		return 0, badRequest("chat_id is empty")
	}
	s.mu.Lock()
	_, ok := s.chats[id]
	s.mu.Unlock()
	if !ok {
		return 0, badRequest("chat not found")
	}
	return id, nil
}

// parse checks text as the Bot API does for mode.
func parse(text, mode string) (string, []Entity, *apiError) {
	plain, ents := text, []Entity(nil)
	switch mode {
	case "":
	case "HTML":
		var err error
		plain, ents, err = ParseHTML(text)
		if err != nil {
			return "", nil, badRequest("can't parse entities: %v", err)
		}
	default:
		return "", nil, badRequest("unsupported parse_mode %q", mode)
	}
	if strings.TrimSpace(plain) == "" {
		return "", nil, badRequest("message text is empty")
	}
	if Length(plain) > 4096 {
		return "", nil, badRequest("message is too long")
	}
	return plain, ents, nil
}

func (s *Server) sendMessage(r *http.Request) (any, *apiError) {
	chat, e := s.chat(r)
	if e != nil {
		return nil, e
	}
	text, mode := r.FormValue("text"), r.FormValue("parse_mode")
	plain, ents, e := parse(text, mode)
	if e != nil {
		return nil, e
	}
	replyTo, orphan := 0, false
	if rp := r.FormValue("reply_parameters"); rp != "" {
		var p models.ReplyParameters
		if err := json.Unmarshal([]byte(rp), &p); err != nil {
			return nil, badRequest("can't parse reply parameters JSON object")
		}
		replyTo, orphan = p.MessageID, p.AllowSendingWithoutReply
	}
	thread, _ := strconv.Atoi(r.FormValue("message_thread_id"))

	s.mu.Lock()
	defer s.mu.Unlock()
	var replied *models.Message
	if replyTo != 0 {
		replied = s.messages[chat][replyTo]
		if replied == nil && !orphan {
			return nil, badRequest("message to be replied not found")
		}
	}
	s.nextMsg++
	bot := s.Bot
	m := &models.Message{ID: s.nextMsg, From: &bot, Date: int(time.Now().Unix()), Chat: s.chats[chat], Text: plain, ReplyToMessage: replied}
	s.store(m)
	s.sent = append(s.sent, Sent{MessageID: m.ID, ChatID: chat, ThreadID: thread, Text: text, ParseMode: mode,
		Plain: plain, Entities: ents, ReplyTo: replyTo})
	s.progress()
	return m, nil
}

func (s *Server) sendChatAction(r *http.Request) (any, *apiError) {
	chat, e := s.chat(r)
	if e != nil {
		return nil, e
	}
	action := r.FormValue("action")
	if action != "typing" && action != "upload_document" && action != "choose_sticker" {
		return nil, badRequest("wrong parameter action in request")
	}
	s.mu.Lock()
	s.actions = append(s.actions, Action{ChatID: chat, Action: action})
	s.progress()
	s.mu.Unlock()
	return true, nil
}

var commandRE = regexp.MustCompile(`^[a-z0-9_]{1,32}$`)

func (s *Server) setMyCommands(r *http.Request) (any, *apiError) {
	var cmds []models.BotCommand
	if err := json.Unmarshal([]byte(r.FormValue("commands")), &cmds); err != nil {
		return nil, badRequest("can't parse commands JSON object")
	}
	for _, c := range cmds {
		if !commandRE.MatchString(c.Command) {
			return nil, badRequest("BOT_COMMAND_INVALID")
		}
		if n := Length(c.Description); n < 1 || n > 256 {
			return nil, badRequest("BOT_COMMAND_DESCRIPTION_INVALID")
		}
	}
	s.mu.Lock()
	s.commands = cmds
	s.progress()
	s.mu.Unlock()
	return true, nil
}

func (s *Server) answerInlineQuery(r *http.Request) (any, *apiError) {
	id := r.FormValue("inline_query_id")
	var raw []struct {
		Type                string `json:"type"`
		ID                  string `json:"id"`
		Title               string `json:"title"`
		Description         string `json:"description"`
		InputMessageContent struct {
			MessageText string `json:"message_text"`
			ParseMode   string `json:"parse_mode"`
		} `json:"input_message_content"`
	}
	if err := json.Unmarshal([]byte(r.FormValue("results")), &raw); err != nil {
		return nil, badRequest("can't parse inline query results JSON object")
	}
	if len(raw) > 50 {
		return nil, badRequest("RESULTS_TOO_MUCH")
	}
	ans := InlineAnswer{QueryID: id}
	ids := map[string]bool{}
	for _, res := range raw {
		if res.Type != "article" {
			return nil, badRequest("RESULT_TYPE_INVALID")
		}
		if res.ID == "" || len(res.ID) > 64 || ids[res.ID] {
			return nil, badRequest("RESULT_ID_INVALID")
		}
		ids[res.ID] = true
		if res.Title == "" {
			return nil, badRequest("RESULT_TITLE_EMPTY")
		}
		plain, ents, e := parse(res.InputMessageContent.MessageText, res.InputMessageContent.ParseMode)
		if e != nil {
			return nil, e
		}
		ans.Results = append(ans.Results, InlineResult{ID: res.ID, Title: res.Title, Description: res.Description,
			Text: res.InputMessageContent.MessageText, Plain: plain, Entities: ents})
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	answered, ok := s.queries[id]
	if !ok || answered {
		return nil, badRequest("query is too old and response timeout expired or query ID is invalid")
	}
	s.queries[id] = true
	s.inline = append(s.inline, ans)
	s.progress()
	return true, nil
}

func (s *Server) setWebhook(r *http.Request) (any, *apiError) {
	u := r.FormValue("url")
	if u == "" {
		s.mu.Lock()
		s.webhook = nil
		s.progress()
		s.mu.Unlock()
		return true, nil
	}
	if !strings.HasPrefix(u, "https://") {
		return nil, badRequest("bad webhook: An HTTPS URL must be provided for webhook")
	}
	w := &Webhook{URL: u, SecretToken: r.FormValue("secret_token")}
	w.MaxConnections, _ = strconv.Atoi(r.FormValue("max_connections"))
	if a := r.FormValue("allowed_updates"); a != "" {
		if err := json.Unmarshal([]byte(a), &w.AllowedUpdates); err != nil {
			return nil, badRequest("can't parse allowed updates")
		}
	}
	s.mu.Lock()
	s.webhook = w
	s.progress()
	s.mu.Unlock()
	return true, nil
}

func writeError(w http.ResponseWriter, e *apiError) {
	body := map[string]any{"ok": false, "error_code": e.code, "description": e.desc}
	if e.retryAfter > 0 {
		body["parameters"] = map[string]any{"retry_after": e.retryAfter}
	}
	writeJSON(w, e.code, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(data)
}

var (
	commandEntRE = regexp.MustCompile(`(?:^|\s)(/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?)`)
	mentionEntRE = regexp.MustCompile(`(?:^|[^A-Za-z0-9_])(@[A-Za-z0-9_]{5,32})`)
)

// entities marks bot commands and @mentions in text, in UTF-16 offsets.
func entities(text string) []models.MessageEntity {
	var out []models.MessageEntity
	add := func(re *regexp.Regexp, typ models.MessageEntityType) {
		for _, m := range re.FindAllStringSubmatchIndex(text, -1) {
			off := len(utf16.Encode([]rune(text[:m[2]])))
			n := len(utf16.Encode([]rune(text[m[2]:m[3]])))
			out = append(out, models.MessageEntity{Type: typ, Offset: off, Length: n})
		}
	}
	add(commandEntRE, models.MessageEntityTypeBotCommand)
	add(mentionEntRE, models.MessageEntityTypeMention)
	sortEntities(out)
	return out
}

func sortEntities(e []models.MessageEntity) {
	for i := 1; i < len(e); i++ {
		for j := i; j > 0 && e[j].Offset < e[j-1].Offset; j-- {
			e[j], e[j-1] = e[j-1], e[j]
		}
	}
}
