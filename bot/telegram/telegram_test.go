package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/storybot/storybot/bot"
	"github.com/storybot/storybot/bot/bottest"
	"github.com/storybot/storybot/bot/telegram/telegramtest"
	"github.com/storybot/storybot/qa"
)

func TestPrivateQuestion(t *testing.T) {
	fake := telegramtest.New(t, testToken)
	h := start(t, fake, options{})

	r := h.ask(42, "Who is the Kremlin spokesman?")
	if r.ParseMode != "HTML" {
		t.Errorf("parse mode = %q, want HTML", r.ParseMode)
	}
	quote, ok := entityText(r, "blockquote")
	if !ok || !strings.Contains(quote, "Dmitry Peskov") {
		t.Errorf("blockquote = %q, want the quote with Peskov; message %q", quote, r.Plain)
	}
	if title, _ := entityText(r, "bold"); title != srcMT.Title {
		t.Errorf("bold title = %q, want %q", title, srcMT.Title)
	}
	if outlet, _ := entityText(r, "italic"); outlet != srcMT.Outlet {
		t.Errorf("italic outlet = %q, want %q", outlet, srcMT.Outlet)
	}
	if !strings.Contains(r.Plain, "Also in: "+srcTASS.String()) {
		t.Errorf("reply %q does not name the other source", r.Plain)
	}

	nf := h.ask(42, "What is the weather on Mars?")
	if nf.ParseMode != "" || !strings.Contains(nf.Plain, "could not find") || !strings.Contains(nf.Plain, "the test story") {
		t.Errorf("not found reply = %q (%s), want a plain message naming the topic", nf.Plain, nf.ParseMode)
	}

	// The command menu is registered at start.
	var names []string
	for _, c := range fake.Commands() {
		names = append(names, c.Command)
	}
	if got := strings.Join(names, ","); got != "ask,summary,timeline,who,sources,help" {
		t.Errorf("setMyCommands = %s, want ask,summary,timeline,who,sources,help", got)
	}
	if fake.Calls("getMe") != 1 {
		t.Errorf("getMe calls = %d, want 1", fake.Calls("getMe"))
	}
}

func TestCommands(t *testing.T) {
	fake := telegramtest.New(t, testToken)
	h := start(t, fake, options{})

	for _, cmd := range []string{"/start", "/help"} {
		r := h.ask(7, cmd)
		if !strings.Contains(r.Plain, "I answer questions about the test story") ||
			!strings.Contains(r.Plain, "@"+botName) || !strings.Contains(r.Plain, "/ask") {
			t.Errorf("%s reply = %q, want what the bot knows and how to ask", cmd, r.Plain)
		}
	}
	r := h.ask(7, "/sources")
	for _, s := range []qa.Source{srcMT, srcTASS} {
		if !strings.Contains(r.Plain, s.Title) || !strings.Contains(r.Plain, s.Outlet) {
			t.Errorf("/sources = %q, want %q", r.Plain, s)
		}
	}
	if len(h.qa.questions()) != 0 {
		t.Errorf("commands reached the QA core as questions: %q", h.qa.questions())
	}
}

// TestGroups checks which group messages are questions. Each chat ends with
// a sentinel question; answers in a chat keep the order of its messages, so
// once the sentinel is answered every earlier message has been handled.
func TestGroups(t *testing.T) {
	fake := telegramtest.New(t, testToken)
	h := start(t, fake, options{})

	// A message of the bot's in the group, to reply to.
	const group = -1001
	_, seed := fake.AddMessage(telegramtest.Message{ChatID: group, ChatType: "supergroup", UserID: 1, Text: "/ask echo seed"})
	botMsg := h.waitReply(group, seed).MessageID

	answer := func(q string) string { return "Answer to: " + q } // the reply holds the core's answer to q
	h.checkGroupRoutes(group, []groupRoute{
		{text: "/ask echo one", want: answer("echo one")},
		{text: "/ask@" + botName + " echo two", want: answer("echo two")},
		{text: "/ask@StoryBot_Test_Bot echo three", want: answer("echo three")},
		{text: "/ask@some_other_bot echo four"},
		{text: "@" + botName + " echo five", want: answer("echo five")},
		{text: "echo six, @" + botName + "?", want: answer("echo six, ?")},
		{text: "echo seven", replyTo: botMsg, want: answer("echo seven")},
		{text: "echo eight"},                  // chatter
		{text: "/start@some_other_bot"},       // another bot's command
		{text: "hey @someone_else echo nine"}, // someone else mentioned
	})
	_, help := fake.AddMessage(telegramtest.Message{ChatID: group, ChatType: "group", UserID: 3, Text: "/help@" + botName})
	if r := h.waitReply(group, help); !strings.Contains(r.Plain, "How to ask") {
		t.Errorf("/help@bot in a group = %q, want the help", r.Plain)
	}
}

func TestInlineQuery(t *testing.T) {
	fake := telegramtest.New(t, testToken)
	h := start(t, fake, options{})

	_, q1 := fake.AddInline(5, "Who is the Kremlin spokesman?")
	_, q2 := fake.AddInline(5, "nothing like this")
	fake.Wait(t, "two inline answers", func() bool { return len(fake.InlineAnswers()) == 2 })
	got := map[string]telegramtest.InlineAnswer{}
	for _, a := range fake.InlineAnswers() {
		got[a.QueryID] = a
	}
	res := got[q1].Results
	if len(res) != 1 {
		t.Fatalf("inline results = %+v, want one", res)
	}
	if res[0].Title != srcMT.String() || !strings.Contains(res[0].Description, "Peskov") {
		t.Errorf("inline result title %q description %q", res[0].Title, res[0].Description)
	}
	if !strings.Contains(res[0].Text, "<blockquote>") || !strings.Contains(res[0].Plain, "Dmitry Peskov") {
		t.Errorf("inline message = %q, want the quote in a blockquote", res[0].Text)
	}
	if len(got[q2].Results) != 0 {
		t.Errorf("not-found inline query got results %+v", got[q2].Results)
	}
	if fake.Sent() != nil {
		t.Errorf("inline queries sent chat messages: %+v", fake.Sent())
	}
	_ = h
}

// TestInlineWhileTyping: clients send an inline query as the user types;
// each gets its results, however tight the flood control on chats.
func TestInlineWhileTyping(t *testing.T) {
	fake := telegramtest.New(t, testToken)
	start(t, fake, options{limit: bot.LimitConfig{Burst: 1, Every: time.Hour}})
	typed := []string{"Who", "Who is", "Who is the Kr", "Who is the Kremlin", "Who is the Kremlin spokesman?"}
	for _, q := range typed {
		fake.AddInline(6, q)
	}
	fake.Wait(t, "an answer to every inline query", func() bool { return len(fake.InlineAnswers()) == len(typed) })
	answers := fake.InlineAnswers()
	if last := answers[len(answers)-1]; len(last.Results) != 1 || !strings.Contains(last.Results[0].Plain, "Dmitry Peskov") {
		t.Errorf("the whole question got %+v, want the Peskov quote", last.Results)
	}
}

// TestMarkupInjection: markup in a question, an article or a title reaches
// the reader as text, and the Bot API's HTML parser (the fake's, as strict)
// accepts every message.
func TestMarkupInjection(t *testing.T) {
	fake := telegramtest.New(t, testToken)
	f := newQA()
	evil := "<b>bold</b> & </blockquote><a href=\"x\">y</a> &amp; &#60;"
	f.table[strings.ToLower(evil)] = []qa.Answer{{
		Text:   "Quote with </blockquote><b>tags</b> & entities &lt; inside.",
		Source: qa.Source{Title: "Title <i>&</i>", Outlet: "Outlet </b>"},
		AlsoIn: []qa.Source{{Title: "Other <pre>", Outlet: "&"}},
	}}
	h := start(t, fake, options{qa: f})

	r := h.ask(9, evil)
	if got := h.qa.questions(); len(got) != 1 || got[0] != evil {
		t.Errorf("core got %q, want the question as typed: %q", got, evil)
	}
	quote, _ := entityText(r, "blockquote")
	if quote != "Quote with </blockquote><b>tags</b> & entities &lt; inside." {
		t.Errorf("blockquote = %q, want the article text verbatim", quote)
	}
	if title, _ := entityText(r, "bold"); title != "Title <i>&</i>" {
		t.Errorf("bold = %q, want the title verbatim", title)
	}
	if !strings.Contains(r.Plain, "Other <pre> (&)") {
		t.Errorf("message %q lacks the also-in source verbatim", r.Plain)
	}
	types := map[string]int{}
	for _, e := range r.Entities {
		types[e.Type]++
	}
	if types["blockquote"] != 1 || types["bold"] != 1 || types["italic"] != 1 || len(r.Entities) != 3 {
		t.Errorf("entities %+v: markup from the text leaked into the formatting", r.Entities)
	}

	_, q := fake.AddInline(9, evil)
	fake.Wait(t, "an inline answer", func() bool { return len(fake.InlineAnswers()) == 1 })
	ia := fake.InlineAnswers()[0]
	if ia.QueryID != q || len(ia.Results) != 1 || !strings.Contains(ia.Results[0].Plain, "</blockquote><b>tags</b>") {
		t.Errorf("inline answer %+v, want the article text verbatim", ia)
	}
}

func TestHugeAndEmpty(t *testing.T) {
	fake := telegramtest.New(t, testToken)
	f := newQA()
	var long strings.Builder
	for i := 0; long.Len() < 10000; i++ {
		fmt.Fprintf(&long, "Sentence number %d says something about the call & the <talks>. ", i)
	}
	longText := strings.TrimSpace(long.String())
	f.table["long"] = []qa.Answer{{Text: longText, Source: srcMT}}
	h := start(t, fake, options{qa: f})

	// A question over MaxQuestion (500) gets a clear message.
	r := h.ask(11, strings.Repeat("why ", 200))
	if !strings.Contains(r.Plain, "too long") || !strings.Contains(r.Plain, "500") {
		t.Errorf("long question reply = %q, want the length limit", r.Plain)
	}

	// An answer over 4096 characters is split at sentence boundaries.
	_, id := fake.AddMessage(telegramtest.Message{UserID: 11, Text: "long"})
	_, next := fake.AddMessage(telegramtest.Message{UserID: 11, Text: "/help"})
	h.waitReply(11, next)
	parts := repliesTo(fake.Sent(), 11, id)
	if len(parts) < 3 {
		t.Fatalf("a %d-character answer came in %d messages, want at least 3", len(longText), len(parts))
	}
	var quotes []string
	for i, p := range parts {
		if n := telegramtest.Length(p.Plain); n > MaxMessage {
			t.Errorf("part %d is %d characters long", i, n)
		}
		q, _ := entityText(p, "blockquote")
		if !strings.HasSuffix(q, ".") {
			t.Errorf("part %d ends %q, not at a sentence end", i, q[max(0, len(q)-20):])
		}
		quotes = append(quotes, q)
	}
	if got := strings.Join(quotes, " "); got != longText {
		t.Errorf("the parts do not add up to the quote")
	}
	if !strings.Contains(parts[len(parts)-1].Plain, srcMT.Title) {
		t.Errorf("the last part does not name the source")
	}

	// No question: a help message, in private chats and after a bare /ask.
	for _, text := range []string{"/ask", "   "} {
		r := h.ask(12, text)
		if !strings.Contains(r.Plain, "Ask me a question") {
			t.Errorf("%q: reply %q, want how to ask", text, r.Plain)
		}
	}
	sticker := &models.Update{Message: &models.Message{ID: 9999, From: &models.User{ID: 12}, Chat: models.Chat{ID: 12, Type: "private"},
		Sticker: &models.Sticker{FileID: "x"}}}
	fake.AddMessage(telegramtest.Message{UserID: 12, Text: "/help"}) // makes chat 12 known
	fake.AddUpdate(sticker)
	_, after := fake.AddMessage(telegramtest.Message{UserID: 12, Text: "echo after"})
	h.waitReply(12, after)
	if r := repliesTo(fake.Sent(), 12, 9999); len(r) != 1 || !strings.Contains(r[0].Plain, "Ask me a question") {
		t.Errorf("a sticker in a private chat got %+v, want how to ask", r)
	}
}

func TestFloodControl(t *testing.T) {
	fake := telegramtest.New(t, testToken)
	h := start(t, fake, options{limit: bot.LimitConfig{Burst: 2, Every: time.Hour}})

	const group = -2002
	var ids []int
	for i := range 5 {
		_, id := fake.AddMessage(telegramtest.Message{ChatID: group, ChatType: "group", UserID: 1, Text: fmt.Sprintf("/ask echo %d", i)})
		ids = append(ids, id)
	}
	_, other := fake.AddMessage(telegramtest.Message{ChatID: group, ChatType: "group", UserID: 2, Text: "/ask echo other"})
	if r := h.waitReply(group, other); !strings.Contains(r.Plain, "Answer to: echo other") {
		t.Errorf("another user was limited too: %q", r.Plain)
	}
	sent := fake.Sent()
	for i, id := range ids {
		replies := repliesTo(sent, group, id)
		switch {
		case i < 2 && (len(replies) != 1 || !strings.Contains(replies[0].Plain, "Answer to")):
			t.Errorf("question %d (within the burst): %+v, want an answer", i, replies)
		case i == 2 && (len(replies) != 1 || !strings.Contains(replies[0].Plain, "please wait")):
			t.Errorf("question %d (over the limit): %+v, want one polite notice", i, replies)
		case i > 2 && len(replies) != 0:
			t.Errorf("question %d (still over): %+v, want silence", i, replies)
		}
	}
}

func TestTypingOnlyWhenSlow(t *testing.T) {
	fake := telegramtest.New(t, testToken)
	f := newQA()
	f.gate = make(chan struct{})
	h := start(t, fake, options{qa: f, opts: []Option{WithTypingAfter(time.Millisecond)}})

	_, id := fake.AddMessage(telegramtest.Message{UserID: 21, Text: "echo slow"})
	fake.Wait(t, "a typing action", func() bool { return len(fake.Actions()) > 0 })
	if a := fake.Actions()[0]; a.ChatID != 21 || a.Action != "typing" {
		t.Errorf("chat action = %+v, want typing in chat 21", a)
	}
	if len(fake.Sent()) != 0 {
		t.Error("answer sent before the core answered")
	}
	close(f.gate)
	h.waitReply(21, id)
	h.stop()

	// A fast answer shows no typing action, with storybot's threshold.
	fake2 := telegramtest.New(t, testToken)
	h2 := start(t, fake2, options{opts: []Option{WithTypingAfter(time.Second)}})
	for i := range 20 {
		h2.ask(22, fmt.Sprintf("echo fast %d", i))
	}
	if n := len(fake2.Actions()); n != 0 {
		t.Errorf("%d chat actions for 20 fast answers, want none", n)
	}
}

// checkExactlyOnce checks every message in ids got exactly one reply and the
// replies in each chat came in the order of the questions.
func checkExactlyOnce(t *testing.T, sent []telegramtest.Sent, ids map[int64][]int) {
	t.Helper()
	for chat, list := range ids {
		want := map[int]bool{}
		for _, id := range list {
			want[id] = true
		}
		var order []int
		count := map[int]int{}
		for _, s := range sent {
			if s.ChatID == chat {
				count[s.ReplyTo]++
				order = append(order, s.ReplyTo)
				if !want[s.ReplyTo] {
					t.Errorf("chat %d: reply to unknown message %d", chat, s.ReplyTo)
				}
			}
		}
		for _, id := range list {
			if count[id] != 1 {
				t.Errorf("chat %d: message %d answered %d times, want once", chat, id, count[id])
			}
		}
		for i := 1; i < len(order); i++ {
			if order[i] < order[i-1] {
				t.Errorf("chat %d: replies out of order: %v", chat, order)
				break
			}
		}
	}
}

// TestFaultsMidRun injects every kind of Bot API failure while updates flow
// and checks no update is lost or answered twice. A sendMessage answered
// 200 with a body cut short was carried out: it must not be sent again.
// (Timeouts are tested on the client alone, TestClientTimeout: a request
// timeout short enough to test quickly also cuts, on a busy machine,
// sends that did reach Telegram, which are then sent twice.)
func TestFaultsMidRun(t *testing.T) {
	fake := telegramtest.New(t, testToken)
	h := start(t, fake, options{})

	ids := map[int64][]int{}
	add := func(n int) {
		for i := range n {
			chat := int64(100 + i%10)
			_, id := fake.AddMessage(telegramtest.Message{UserID: chat, Text: fmt.Sprintf("echo %d", len(ids[chat]))})
			ids[chat] = append(ids[chat], id)
		}
	}
	add(50)
	fake.WaitSent(t, 10)
	fake.Fail("getUpdates", telegramtest.ServerError, telegramtest.Malformed, telegramtest.Dropped,
		telegramtest.TooManyRequests(1), telegramtest.Fault{Status: 500})
	fake.Fail("sendMessage", telegramtest.TooManyRequests(1), telegramtest.ServerError, telegramtest.Malformed,
		telegramtest.Dropped, telegramtest.Fault{Status: 503})
	add(100)
	fake.Wait(t, "every fault used", func() bool { return fake.Faults("getUpdates")+fake.Faults("sendMessage") == 0 })
	add(50)
	fake.WaitSent(t, 200)
	h.stop()
	checkExactlyOnce(t, fake.Sent(), ids)
	for _, kind := range []string{"rate_limited", "server_error", "malformed", "network"} {
		if h.metrics.errorCount(kind) == 0 {
			t.Errorf("no %s platform error counted", kind)
		}
	}
}

func TestConflict(t *testing.T) {
	fake := telegramtest.New(t, testToken)
	fake.Fail("getUpdates", telegramtest.Conflict, telegramtest.Conflict)
	h := start(t, fake, options{})
	h.ask(31, "echo after conflict")
	if !strings.Contains(h.logs.String(), "another process is using this bot token (409 Conflict)") {
		t.Errorf("no clear log line for 409:\n%s", h.logs.String())
	}
	if n := h.metrics.errorCount("conflict"); n != 2 {
		t.Errorf("conflict errors counted = %d, want 2", n)
	}
}

func TestPanicRecovered(t *testing.T) {
	fake := telegramtest.New(t, testToken)
	h := start(t, fake, options{})
	_, boom := fake.AddMessage(telegramtest.Message{UserID: 41, Text: "boom"})
	r := h.ask(41, "echo still here")
	if !strings.Contains(r.Plain, "Answer to: echo still here") {
		t.Errorf("after a panic: %q", r.Plain)
	}
	if r := repliesTo(fake.Sent(), 41, boom); len(r) != 1 || !strings.Contains(r[0].Plain, "went wrong") {
		t.Errorf("the panicking question got %+v, want one short \"something went wrong\"", r)
	}
	if !strings.Contains(h.logs.String(), "panic while handling an update") || h.metrics.errorCount("panic") != 1 {
		t.Errorf("panic not logged and counted:\n%s", h.logs.String())
	}
	if err := h.stop(); err != nil {
		t.Errorf("Run = %v after a panic, want nil", err)
	}
}

// TestShutdownAndRestart stops the bot with answers in flight, then starts
// it again: every update is answered once, none lost, none twice.
func TestShutdownAndRestart(t *testing.T) {
	fake := telegramtest.New(t, testToken)
	f := newQA()
	f.gate = make(chan struct{})
	f.entered = make(chan string, 100)
	h := start(t, fake, options{qa: f})

	ids := map[int64][]int{}
	var last int64
	for i := range 6 {
		chat := int64(50 + i%3)
		var id int
		last, id = fake.AddMessage(telegramtest.Message{UserID: chat, Text: fmt.Sprintf("echo %d", i)})
		ids[chat] = append(ids[chat], id)
	}
	<-f.entered
	waitFor(t, func() bool { return h.a.held.Load() == 6 })
	if o := fake.Offsets(); o[len(o)-1] > last {
		t.Errorf("offsets %v: updates confirmed before they were answered", o)
	}
	h.cancel() // SIGTERM, with answers in flight
	close(f.gate)
	if err := h.stop(); err != nil {
		t.Fatalf("Run = %v, want nil", err)
	}
	checkExactlyOnce(t, fake.Sent(), ids)
	if len(fake.Sent()) != 6 {
		t.Fatalf("%d answers after shutdown, want 6", len(fake.Sent()))
	}

	// Restart: the next run starts after the last update.
	_, id := fake.AddMessage(telegramtest.Message{UserID: 50, Text: "echo after restart"})
	ids[50] = append(ids[50], id)
	h2 := start(t, fake, options{})
	h2.waitReply(50, id)
	h2.stop()
	checkExactlyOnce(t, fake.Sent(), ids)
}

// TestShutdownMidBatch stops the bot while it is full, with updates of a
// getUpdates batch not yet taken. Those it took are answered before Run
// returns, and confirmed; the rest come again on restart. None is answered
// twice or lost.
func TestShutdownMidBatch(t *testing.T) {
	fake := telegramtest.New(t, testToken)
	f := newQA()
	f.gate = make(chan struct{})
	f.entered = make(chan string, 100)
	h := start(t, fake, options{qa: f, opts: []Option{WithWorkers(1), WithQueue(1)}})
	ids := map[int64][]int{}
	for i := range 4 {
		_, id := fake.AddMessage(telegramtest.Message{UserID: 90, Text: fmt.Sprintf("echo %d", i)})
		ids[90] = append(ids[90], id)
	}
	<-f.entered
	h.cancel()
	close(f.gate)
	if err := h.stop(); err != nil {
		t.Fatalf("Run = %v", err)
	}
	answered := len(fake.Sent())
	if answered == 0 {
		t.Fatal("nothing answered before Run returned: the answer in flight was dropped")
	}
	h2 := start(t, fake, options{})
	fake.WaitSent(t, 4)
	h2.stop()
	checkExactlyOnce(t, fake.Sent(), ids)
}

// TestStateFile: with state_file, a restart does not answer again updates
// whose confirmation the Bot API never got (a crash, a lost request).
func TestStateFile(t *testing.T) {
	fake := telegramtest.New(t, testToken)
	state := filepath.Join(t.TempDir(), "telegram.state")
	withState := []Option{WithStateFile(state)}
	h := start(t, fake, options{opts: withState})
	ids := map[int64][]int{}
	var last int64
	for i := range 3 {
		var id int
		last, id = fake.AddMessage(telegramtest.Message{UserID: 60, Text: fmt.Sprintf("echo %d", i)})
		ids[60] = append(ids[60], id)
	}
	fake.WaitSent(t, 3)
	h.stop()
	data, err := os.ReadFile(state)
	if err != nil {
		t.Fatal(err)
	}
	var s struct {
		LastUpdateID int64 `json:"last_update_id"`
	}
	if err := json.Unmarshal(data, &s); err != nil || s.LastUpdateID != last {
		t.Fatalf("state file = %s, want last_update_id %d", data, last)
	}

	fake.Unconfirm(0) // the Bot API would deliver all three again
	_, id := fake.AddMessage(telegramtest.Message{UserID: 60, Text: "echo new"})
	ids[60] = append(ids[60], id)
	h2 := start(t, fake, options{opts: withState})
	h2.waitReply(60, id)
	h2.stop()
	checkExactlyOnce(t, fake.Sent(), ids)
}

// TestRetryAfterCancelledByShutdown: a long 429 wait does not hold shutdown
// past the drain time.
func TestRetryAfterCancelledByShutdown(t *testing.T) {
	fake := telegramtest.New(t, testToken)
	fake.Fail("sendMessage", telegramtest.TooManyRequests(3600))
	h := start(t, fake, options{opts: []Option{WithMaxRetryAfter(2 * time.Hour), WithDrainTimeout(50 * time.Millisecond)}})
	fake.AddMessage(telegramtest.Message{UserID: 70, Text: "echo wait"})
	fake.Wait(t, "a 429 on sendMessage", func() bool { return fake.Calls("sendMessage") == 1 })
	if err := h.stop(); err != nil {
		t.Errorf("Run = %v, want nil", err)
	}
	if !strings.Contains(h.logs.String(), "drain time is up") {
		t.Errorf("no log of the abandoned answer:\n%s", h.logs.String())
	}
}

// TestShutdownWhileFullAndRateLimited: with the dispatcher full, an answer
// waiting out a long 429 and the poller waiting to hand over the next
// update, shutdown still ends after the drain time; the updates given up,
// which Telegram still holds, come again on restart and are answered once.
func TestShutdownWhileFullAndRateLimited(t *testing.T) {
	fake := telegramtest.New(t, testToken)
	fake.Fail("sendMessage", telegramtest.TooManyRequests(3600))
	// Queued before the bot starts, the three come in one getUpdates
	// batch, which the library confirms only when it asks for the next.
	ids := map[int64][]int{}
	for i := range 3 {
		chat := int64(71 + i)
		_, id := fake.AddMessage(telegramtest.Message{UserID: chat, Text: fmt.Sprintf("echo %d", i)})
		ids[chat] = append(ids[chat], id)
	}
	h := start(t, fake, options{opts: []Option{
		WithWorkers(1), WithQueue(1),
		WithMaxRetryAfter(2 * time.Hour), WithDrainTimeout(50 * time.Millisecond),
	}})
	fake.Wait(t, "a 429 on sendMessage", func() bool { return fake.Calls("sendMessage") == 1 })
	waitFor(t, h.a.full) // the poller waits for room
	// Before the fix this waited out the whole retry_after, past the
	// harness's deadline.
	if err := h.stop(); err != nil {
		t.Errorf("Run = %v, want nil", err)
	}
	if !strings.Contains(h.logs.String(), "drain time is up") {
		t.Errorf("no log of the abandoned answers:\n%s", h.logs.String())
	}
	if n := len(fake.Sent()); n != 0 {
		t.Fatalf("%d answers sent through a 429 of an hour", n)
	}
	h2 := start(t, fake, options{})
	fake.WaitSent(t, 3)
	h2.stop()
	checkExactlyOnce(t, fake.Sent(), ids)
}

func TestWebhook(t *testing.T) {
	fake := telegramtest.New(t, testToken)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	h := start(t, fake, options{opts: []Option{
		WithWebhook("https://bot.example.com/hooks/telegram", testSecret),
		WithWebhookListener(ln),
		WithWebhookMaxConnections(40),
	}})
	w := fake.Webhook()
	if w == nil || w.URL != "https://bot.example.com/hooks/telegram" || w.SecretToken != testSecret {
		t.Fatalf("webhook = %+v", w)
	}
	if strings.Join(w.AllowedUpdates, ",") != "message,inline_query" {
		t.Errorf("allowed_updates = %v", w.AllowedUpdates)
	}

	ctx := context.Background()
	// A request without the right secret is refused and not answered.
	forged := &models.Update{ID: 1, Message: &models.Message{ID: 1, From: &models.User{ID: 80}, Chat: models.Chat{ID: 80, Type: "private"}, Text: "echo forged"}}
	if status, err := fake.PostWebhook(ctx, base, "wrong", forged); err != nil || status != 403 {
		t.Errorf("wrong secret: status %d, %v; want 403", status, err)
	}
	if status, err := fake.PostWebhook(ctx, base, "", forged); err != nil || status != 403 {
		t.Errorf("no secret: status %d, %v; want 403", status, err)
	}

	ids := map[int64][]int{}
	for i := range 20 {
		chat := int64(80 + i%4)
		_, id := fake.AddMessage(telegramtest.Message{UserID: chat, Text: fmt.Sprintf("echo %d", i)})
		ids[chat] = append(ids[chat], id)
	}
	fake.AddInline(81, "Who is the Kremlin spokesman?")
	if n, err := fake.DeliverWebhook(ctx, base); err != nil || n != 21 {
		t.Fatalf("delivered %d, %v; want 21", n, err)
	}
	// Telegram retrying an update it already delivered: answered once.
	first := fake.Updates()[0]
	if status, err := fake.PostWebhook(ctx, base, testSecret, first); err != nil || status != 200 {
		t.Errorf("repeated update: status %d, %v; want 200", status, err)
	}
	fake.WaitSent(t, 20)
	fake.Wait(t, "the inline answer", func() bool { return len(fake.InlineAnswers()) == 1 })
	if fake.Calls("getUpdates") != 0 {
		t.Errorf("getUpdates called %d times in webhook mode", fake.Calls("getUpdates"))
	}
	h.stop()
	checkExactlyOnce(t, fake.Sent(), ids)
}

func TestRejectedToken(t *testing.T) {
	fake := telegramtest.New(t, "999:the-real-token")
	svc := bot.NewService(newQA(), bot.Config{}, nil)
	logs := &bottest.Buffer{}
	a, err := New(svc, testToken, append(testOptions(fake),
		WithLogger(slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))...)
	if err != nil {
		t.Fatal(err)
	}
	err = a.Run(context.Background())
	if !errors.Is(err, ErrTokenRejected) {
		t.Fatalf("Run = %v, want ErrTokenRejected", err)
	}
	if strings.Contains(err.Error()+logs.String(), testToken) {
		t.Errorf("the token leaked: %v\n%s", err, logs.String())
	}
}

// TestNew: New refuses, with an error naming what is wrong, the settings
// the adapter cannot work with, those left out among them: it has no
// defaults of its own for them (storybot's are in its DefaultConfig).
func TestNew(t *testing.T) {
	svc := bot.NewService(newQA(), bot.Config{}, nil)
	base := []Option{WithPollTimeout(time.Second), WithWorkers(1), WithQueue(1),
		WithRequestTimeout(time.Second), WithMaxRetryAfter(time.Second)}
	webhook := append([]Option{WithWebhook("https://bot.example.com/x", testSecret),
		WithWebhookListen("127.0.0.1:0"), WithWebhookMaxConnections(40)}, base...)
	with := func(opts []Option, more ...Option) []Option { return append(append([]Option(nil), opts...), more...) }
	for _, tc := range []struct {
		name  string
		token string
		opts  []Option
		want  string
	}{
		{"no token", " ", base, "no bot token"},
		{"bad api url", "t", with(base, WithAPIURL("api.telegram.org")), "api url"},
		{"no options", "t", nil, "WithPollTimeout"},
		{"no poll timeout", "t", with(base, WithPollTimeout(0)), "WithPollTimeout"},
		{"no workers", "t", with(base, WithWorkers(0)), "WithWorkers"},
		{"no queue", "t", with(base, WithQueue(0)), "WithQueue"},
		{"no request timeout", "t", with(base, WithRequestTimeout(0)), "WithRequestTimeout"},
		{"no max retry after", "t", with(base, WithMaxRetryAfter(0)), "WithMaxRetryAfter"},
		{"webhook without a url", "t", with(webhook, WithWebhook("", testSecret)), "public URL"},
		{"webhook without a secret", "t", with(webhook, WithWebhook("https://bot.example.com/x", "")), "webhook secret"},
		{"webhook secret with a space", "t", with(webhook, WithWebhook("https://bot.example.com/x", "a b")), "webhook secret"},
		{"webhook without an address", "t", with(webhook, WithWebhookListen("")), "WithWebhookListen"},
		{"webhook without max connections", "t", with(webhook, WithWebhookMaxConnections(0)), "WithWebhookMaxConnections"},
		{"webhook with too many connections", "t", with(webhook, WithWebhookMaxConnections(101)), "WithWebhookMaxConnections"},
	} {
		_, err := New(svc, tc.token, tc.opts...)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "telegram: ") {
			t.Errorf("%s: New = %v, want an error containing %q", tc.name, err, tc.want)
		}
	}
	if _, err := New(svc, "", base...); !errors.Is(err, ErrNoToken) {
		t.Errorf("New without a token = %v, want ErrNoToken", err)
	}
	if _, err := New(svc, "t", with(webhook, WithWebhook("https://bot.example.com/x", ""))...); !errors.Is(err, ErrWebhookSecret) {
		t.Errorf("webhook without a secret = %v, want ErrWebhookSecret", err)
	}
	for name, opts := range map[string][]Option{"polling": base, "webhook": webhook} {
		a, err := New(svc, "t", opts...)
		if err != nil || a.Name() != "telegram" || a.Ready() {
			t.Errorf("%s: New = %v, %v; want a telegram adapter, not ready before Run", name, a, err)
		}
	}
}

// TestTokenRevoked: a token the Bot API starts refusing while the bot runs
// stops it with an error, as a rejected token at start does.
func TestTokenRevoked(t *testing.T) {
	fake := telegramtest.New(t, testToken)
	h := start(t, fake, options{})
	h.ask(95, "echo before")
	fake.Fail("getUpdates", telegramtest.Fault{Status: 401})
	select {
	case err := <-h.done:
		h.stopped = true
		if err == nil || !strings.Contains(err.Error(), "rejected the token") {
			t.Errorf("Run = %v, want a rejected token", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Run goes on with a revoked token")
	}
}

// TestBurstBounded sends 1,000 updates from 100 users while the core is
// held, and checks the bot holds at most Queue of them, confirms none it
// has not answered and adds a bounded number of goroutines; then all are
// answered once, in order per chat: past Queue the bot leaves updates with
// Telegram rather than refuse them, and no chat holds more than its half.
func TestBurstBounded(t *testing.T) {
	fake := telegramtest.New(t, testToken)
	f := newQA()
	f.gate = make(chan struct{})
	const workers, queue = 8, 64
	base := runtime.NumGoroutine()
	h := start(t, fake, options{qa: f, opts: []Option{WithWorkers(workers), WithQueue(queue)}})

	ids := map[int64][]int{}
	for i := range 1000 {
		chat := int64(1000 + i%100)
		_, id := fake.AddMessage(telegramtest.Message{UserID: chat, Text: fmt.Sprintf("echo %d", i/100)})
		ids[chat] = append(ids[chat], id)
	}
	waitFor(t, func() bool { return h.a.held.Load() == queue })
	if p := fake.Pending(); p != 1000 {
		t.Errorf("%d updates left unconfirmed at the API with none answered, want 1000", p)
	}
	n := runtime.NumGoroutine() - base
	t.Logf("%d goroutines added while holding %d updates", n, queue)
	if n > workers+60 {
		t.Errorf("%d goroutines added while holding %d updates, want a bound independent of the load", n, queue)
	}
	close(f.gate)
	fake.WaitSent(t, 1000)
	h.stop()
	checkExactlyOnce(t, fake.Sent(), ids)
}

// BenchmarkBurst measures updates answered per second through the fake
// Bot API (getUpdates, the dispatcher, the Service, sendMessage), in
// bursts of 1,000 updates from 100 users.
func BenchmarkBurst(b *testing.B) {
	fake := telegramtest.New(b, testToken)
	h := start(b, fake, options{opts: []Option{WithWorkers(8), WithQueue(256)}})
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		for j := range 1000 {
			fake.AddMessage(telegramtest.Message{UserID: int64(1 + j%100), Text: "echo bench"})
		}
		fake.WaitSent(b, 1000*(i+1))
	}
	b.ReportMetric(float64(1000*b.N)/time.Since(start).Seconds(), "updates/s")
	b.StopTimer()
	h.stop()
}
