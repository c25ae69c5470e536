package discord

import (
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/storybot/storybot/bot"
	"github.com/storybot/storybot/bot/discord/discordtest"
	"github.com/storybot/storybot/qa"
	"github.com/storybot/storybot/seeds"
)

const quote = "Putin wished success to Ahmed al-Sharaa in solving the tasks facing the new leadership."

func TestMentionInChannel(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	ans := &answerer{answer: fixed(quote)}
	start(t, srv, newService(ans))
	srv.WaitSession(t)

	const ch = "400000000000000001"
	guild := "300000000000000001"
	otherBot := discordtest.User{ID: "200000000000000009", Username: "otherbot", Bot: true}
	// Ignored: no mention, another bot mentioning us, our own message.
	srv.Dispatch(t, "MESSAGE_CREATE", discordtest.MessageCreate("1001", ch, guild, user, "who called whom?"))
	srv.Dispatch(t, "MESSAGE_CREATE", discordtest.MessageCreate("1002", ch, guild, otherBot, "<@"+srv.BotID+"> who called?", srv.Bot()))
	srv.Dispatch(t, "MESSAGE_CREATE", discordtest.MessageCreate("1003", ch, guild, srv.Bot(), "<@"+srv.BotID+"> echo", srv.Bot()))
	srv.Dispatch(t, "MESSAGE_CREATE", mention(srv, "1004", ch, "who called whom?"))

	// Replies in a channel keep the order of the questions, so had any of
	// the first three been taken, its reply would come first.
	m := replyTo(t, srv, ch, "1004")
	if len(m.Embeds) != 1 {
		t.Fatalf("reply has %d embeds, want 1: %+v", len(m.Embeds), m)
	}
	e := m.Embeds[0]
	if want := `Putin wished success to Ahmed al\-Sharaa in solving the tasks facing the new leadership.`; e.Description != want {
		t.Errorf("quote = %q, want %q", e.Description, want)
	}
	wantFields := []discordtest.Field{
		{Name: "Source", Value: `Putin and al\-Sharaa hold first call \(Reuters\)`},
		{Name: "Also in", Value: `Syria's leader speaks to Moscow \(AP\)`},
	}
	if !slices.Equal(e.Fields, wantFields) {
		t.Errorf("fields = %+v, want %+v", e.Fields, wantFields)
	}
	if got := ans.Questions(); !slices.Equal(got, []string{"who called whom?"}) {
		t.Errorf("questions asked = %q, want only the mention's, without the mention", got)
	}
}

func TestDirectMessageWithSeeds(t *testing.T) {
	t.Parallel()
	arts, err := qa.LoadFS(seeds.FS)
	if err != nil {
		t.Fatal(err)
	}
	ix, err := qa.NewIndex(arts)
	if err != nil {
		t.Fatal(err)
	}
	svc := newService(ix)
	srv := discordtest.New(t)
	start(t, srv, svc)
	srv.WaitSession(t)

	const dm = "500000000000000001"
	srv.Dispatch(t, "MESSAGE_CREATE", discordtest.MessageCreate("2001", dm, "", user, "phone call"))
	m := replyTo(t, srv, dm, "2001")
	if len(m.Embeds) == 0 || m.Embeds[0].Description == "" {
		t.Fatalf("DM got no quoted answer: %q", m.Text())
	}
	var sources []string
	for _, s := range svc.Sources() {
		sources = append(sources, escape(s.Source.String()))
	}
	for _, e := range m.Embeds {
		if len(e.Fields) == 0 || e.Fields[0].Name != "Source" || !slices.Contains(sources, e.Fields[0].Value) {
			t.Errorf("answer %q does not name one of the articles %q: fields %+v", e.Description, sources, e.Fields)
		}
	}
}

func TestSlashCommands(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	svc := newService(&answerer{answer: fixed(quote)})
	start(t, srv, svc)

	// Registered at start, globally, by bulk overwrite.
	reg := srv.WaitRequest(t, discordtest.Commands(srv.AppID, ""))
	var cmds []struct {
		Name        string `json:"name"`
		Description string `json:"description"`
		Options     []struct {
			Type        int    `json:"type"`
			Name        string `json:"name"`
			Description string `json:"description"`
			Required    bool   `json:"required"`
			MaxLength   int    `json:"max_length"`
		} `json:"options"`
	}
	reg.JSON(t, &cmds)
	var names []string
	for _, c := range cmds {
		names = append(names, c.Name)
		if c.Description == "" {
			t.Errorf("/%s has no description", c.Name)
		}
	}
	if !slices.Equal(names, []string{"ask", "summary", "timeline", "who", "sources", "help"}) {
		t.Fatalf("registered %q, want ask, summary, timeline, who, sources, help", names)
	}
	opt := cmds[0].Options
	if len(opt) != 1 || opt[0].Name != "question" || opt[0].Type != 3 || !opt[0].Required || opt[0].Description == "" || opt[0].MaxLength != 500 {
		t.Errorf("/ask options = %+v, want one required string \"question\" with a description, at most 500 long", opt)
	}

	const ch = "400000000000000002"
	guild := "300000000000000001"
	srv.Dispatch(t, "INTERACTION_CREATE", srv.SlashCommand("3001", "tok-3001", ch, guild, user, "ask",
		map[string]string{"question": "what did Putin wish?"}))
	r := srv.WaitRequest(t, discordtest.Callback("3001"))
	var cb struct {
		Type int `json:"type"`
	}
	r.JSON(t, &cb)
	m := discordtest.DecodeMessage(t, r)
	if cb.Type != 4 || r.Status != 204 {
		t.Errorf("/ask answered with response type %d (status %d), want 4", cb.Type, r.Status)
	}
	if len(m.Embeds) != 1 || !strings.Contains(m.Embeds[0].Description, `Putin wished success`) {
		t.Errorf("/ask answer = %q, want the quote in an embed", m.Text())
	}
	if !m.MentionsInert() {
		t.Errorf("/ask answer can ping: %s", r.Body)
	}

	// /sources lists the articles; /help explains, in DMs too.
	srv.Dispatch(t, "INTERACTION_CREATE", srv.SlashCommand("3002", "tok-3002", ch, guild, user, "sources", nil))
	m = discordtest.DecodeMessage(t, srv.WaitRequest(t, discordtest.Callback("3002")))
	for _, s := range []qa.Source{src1, src2} {
		if !strings.Contains(m.Content, escape(s.Title)) {
			t.Errorf("/sources = %q, missing %q", m.Content, s.Title)
		}
	}
	srv.Dispatch(t, "INTERACTION_CREATE", srv.SlashCommand("3003", "tok-3003", "500000000000000002", "", user, "help", nil))
	m = discordtest.DecodeMessage(t, srv.WaitRequest(t, discordtest.Callback("3003")))
	if !strings.Contains(m.Content, "a phone call") || !strings.Contains(m.Content, "/ask") || !m.MentionsInert() {
		t.Errorf("/help = %q, want the topic and how to ask", m.Content)
	}
}

func TestCommandsInGuilds(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	run := start(t, srv, newService(&answerer{}), WithGuilds("G1", "G2"))
	srv.WaitRequest(t, discordtest.OK(discordtest.Commands(srv.AppID, "G1")))
	srv.WaitRequest(t, discordtest.OK(discordtest.Commands(srv.AppID, "G2")))
	if err := run.stop(t); err != nil {
		t.Fatalf("Run = %v", err)
	}
	if n := len(srv.Requests(discordtest.Commands(srv.AppID, ""))); n != 0 {
		t.Errorf("%d global registrations with guild IDs configured, want 0", n)
	}
}

func TestMarkdownAndEveryoneInQuestion(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	// The "article" quotes the question back, so user text reaches the reply.
	echo := func(q string) qa.Result {
		if strings.HasPrefix(q, "nothing") {
			return qa.Result{Question: q}
		}
		return qa.Result{Question: q, Answers: []qa.Answer{{Text: q, Source: qa.Source{Title: "**Bold** [title](http://x)", Outlet: "@here"}}}}
	}
	start(t, srv, newService(&answerer{answer: echo}))
	srv.WaitSession(t)

	const ch = "400000000000000003"
	srv.Dispatch(t, "MESSAGE_CREATE", mention(srv, "4001", ch, "@everyone **look** at <@&55> ||hidden|| `x` > # big"))
	m := replyTo(t, srv, ch, "4001")
	if len(m.Embeds) != 1 {
		t.Fatalf("got %q, want one embed", m.Text())
	}
	want := "\\@everyone \\*\\*look\\*\\* at \\<\\@&55\\> \\|\\|hidden\\|\\| \\`x\\` \\> \\# big"
	if got := m.Embeds[0].Description; got != want {
		t.Errorf("quote = %q,\nwant    %q", got, want)
	}
	if got, want := m.Embeds[0].Fields[0].Value, `\*\*Bold\*\* \[title\]\(http://x\) \(\@here\)`; got != want {
		t.Errorf("source = %q, want %q", got, want)
	}

	// A question the articles do not answer gets a short plain reply.
	srv.Dispatch(t, "MESSAGE_CREATE", mention(srv, "4002", ch, "nothing about @here?"))
	m = replyTo(t, srv, ch, "4002")
	if !strings.HasPrefix(m.Content, "I could not find that in the articles.") || len(m.Embeds) != 0 {
		t.Errorf("unanswered question got %q, want the not-found text as content", m.Text())
	}
	// A mention with no question gets the help text.
	srv.Dispatch(t, "MESSAGE_CREATE", mention(srv, "4003", ch, ""))
	m = replyTo(t, srv, ch, "4003")
	if !strings.HasPrefix(m.Content, "Ask me a question in plain words.") || len(m.Embeds) != 0 {
		t.Errorf("empty question got %q, want the help text as content", m.Text())
	}
}

func TestLongAnswer(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	long := func(tag string) string {
		var b strings.Builder
		for i := 0; b.Len() < 7000; i++ {
			b.WriteString(tag + " sentence " + strings.Repeat("x", i%7) + " is here. ")
		}
		return b.String()
	}
	var many []qa.Source
	for i := range 40 {
		many = append(many, qa.Source{Title: strings.Repeat("Long headline ", 5) + string(rune('A'+i%26)), Outlet: "Outlet"})
	}
	ans := &answerer{answer: func(q string) qa.Result {
		var r qa.Result
		for _, tag := range []string{"First", "Second", "Third"} {
			r.Answers = append(r.Answers, qa.Answer{Text: long(tag), Source: src1, AlsoIn: many})
		}
		return r
	}}
	start(t, srv, newService(ans))
	srv.WaitSession(t)

	const ch = "400000000000000004"
	srv.Dispatch(t, "MESSAGE_CREATE", mention(srv, "5001", ch, "tell me everything"))
	first := replyTo(t, srv, ch, "5001")
	msgs := []discordtest.Message{first}
	for range 2 {
		r := srv.WaitRequest(t, discordtest.Send(ch))
		if r.Status != 200 {
			t.Fatalf("continuation rejected: %d %s", r.Status, r.Body)
		}
		msgs = append(msgs, discordtest.DecodeMessage(t, r))
	}
	// The fake rejects anything over Discord's limits with a 400, so the
	// statuses above already say the limits hold; check the cuts.
	for i, m := range msgs {
		if len(m.Embeds) != 1 {
			t.Fatalf("message %d has %d embeds, want 1 (two do not fit in 6,000)", i, len(m.Embeds))
		}
		e := m.Embeds[0]
		tag := []string{"First", "Second", "Third"}[i]
		if !strings.HasPrefix(e.Description, tag+" sentence") {
			t.Errorf("message %d starts %.30q, want the %s answer", i, e.Description, tag)
		}
		if !strings.HasSuffix(e.Description, "is here.…") {
			t.Errorf("message %d ends %q, want a cut after a sentence, marked …", i, e.Description[len(e.Description)-30:])
		}
		if also := e.Fields[1].Value; !strings.HasSuffix(also, " more") || len([]rune(also)) > 1024 {
			t.Errorf("message %d also-in field: %d characters ending %q", i, len([]rune(also)), also[len(also)-20:])
		}
		if i > 0 && m.Reference != nil {
			t.Errorf("continuation %d is a reply too; only the first should be", i)
		}
	}
}

// TestSlashLongAnswerFollowups relies on no wall clock: start arms no
// deferral unless asked (a real 1.5 s timer deferred the response on a busy
// machine, and the first part then went as an edit), and the fake's
// three-second window for the response is stretched to the test's deadline.
func TestSlashLongAnswerFollowups(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	srv.InteractionWindow = discordtest.Deadline
	long := strings.Repeat("This sentence is one of very many in a long quote. ", 150)
	ans := &answerer{answer: func(q string) qa.Result {
		r := qa.Result{Question: q}
		for range 3 {
			r.Answers = append(r.Answers, qa.Answer{Text: long, Source: src1, AlsoIn: []qa.Source{src2}})
		}
		return r
	}}
	start(t, srv, newService(ans))
	srv.WaitSession(t)
	srv.Dispatch(t, "INTERACTION_CREATE", srv.SlashCommand("5101", "tok-5101", "400000000000000013", "", user, "ask",
		map[string]string{"question": "everything?"}))

	// The response carries the first part; follow-ups carry the rest. The
	// fake answers anything over Discord's limits with a 400.
	parts := []*discordtest.Request{srv.WaitRequest(t, discordtest.Callback("5101"))}
	for range 2 {
		parts = append(parts, srv.WaitRequest(t, discordtest.Followup("tok-5101")))
	}
	if typ := parts[0].CallbackType(); typ != discordtest.ResponseMessage {
		t.Fatalf("response type %d, want %d: the first part, not a deferral", typ, discordtest.ResponseMessage)
	}
	for i, r := range parts {
		m := discordtest.DecodeMessage(t, r)
		if r.Status >= 300 || len(m.Embeds) != 1 || !m.MentionsInert() {
			t.Errorf("part %d: status %d, %d embeds, inert %v; body %.200s", i, r.Status, len(m.Embeds), m.MentionsInert(), r.Body)
		}
	}
}

func TestFloodControlAndLength(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	svc := bot.NewService(&answerer{answer: fixed(quote)},
		bot.Config{MaxQuestion: 30, Limit: bot.LimitConfig{Burst: 1, Every: time.Hour}}, nil)
	start(t, srv, svc)
	srv.WaitSession(t)

	const ch = "400000000000000014"
	bob := discordtest.User{ID: "200000000000000002", Username: "bob"}
	srv.Dispatch(t, "MESSAGE_CREATE", mention(srv, "13001", ch, "first?"))
	srv.Dispatch(t, "MESSAGE_CREATE", mention(srv, "13002", ch, "second?"))
	srv.Dispatch(t, "MESSAGE_CREATE", mention(srv, "13003", ch, "third?"))
	srv.Dispatch(t, "MESSAGE_CREATE", discordtest.MessageCreate("13004", ch, "300000000000000001", bob,
		"<@"+srv.BotID+"> "+strings.Repeat("why ", 10), srv.Bot()))

	if m := replyTo(t, srv, ch, "13001"); len(m.Embeds) != 1 {
		t.Errorf("first question got %q, want the answer", m.Text())
	}
	if m := replyTo(t, srv, ch, "13002"); !strings.HasPrefix(m.Content, "You are asking faster") {
		t.Errorf("second question got %q, want the flood notice", m.Text())
	}
	// Third: silence. Replies keep the questions' order, so bob's reply
	// coming next means the third got none.
	if m := replyTo(t, srv, ch, "13004"); !strings.Contains(m.Content, "too long") || !strings.Contains(m.Content, "30 characters") {
		t.Errorf("long question got %q, want the length notice", m.Text())
	}

	// A slash command over the limit still gets a response: an ephemeral notice.
	srv.Dispatch(t, "INTERACTION_CREATE", srv.SlashCommand("13005", "tok-13005", ch, "300000000000000001", user, "ask",
		map[string]string{"question": "fourth?"}))
	r := srv.WaitRequest(t, discordtest.Callback("13005"))
	if m := discordtest.DecodeMessage(t, r); m.Flags&64 == 0 || !strings.HasPrefix(m.Content, "You are asking faster") {
		t.Errorf("limited /ask got flags %d, %q; want an ephemeral flood notice", m.Flags, m.Content)
	}
}

func TestSessionTimedOutStartsNewSession(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	start(t, srv, newService(&answerer{answer: fixed(quote)}))
	first := srv.WaitSession(t)

	srv.CloseNextResume(4009) // "session timed out": resuming cannot work
	srv.Drop(t)
	srv.WaitFrame(t, discordtest.OpResume)
	srv.WaitFrame(t, discordtest.OpIdentify)
	srv.WaitFrame(t, discordtest.OpIdentify) // a new session, on a new connection
	if second := srv.WaitSession(t); second == first {
		t.Fatalf("still on session %s", first)
	}
	const ch = "400000000000000015"
	srv.Dispatch(t, "MESSAGE_CREATE", mention(srv, "14001", ch, "back?"))
	replyTo(t, srv, ch, "14001")
}

func Test429OnSend(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	const ch = "400000000000000005"
	const wait = 100 * time.Millisecond
	var limited atomic.Bool
	srv.OnREST(func(r *discordtest.Request) *discordtest.Response {
		if discordtest.Send(ch)(r) && limited.CompareAndSwap(false, true) {
			return discordtest.RateLimited(wait, false)
		}
		return nil
	})
	start(t, srv, newService(&answerer{answer: fixed(quote)}))
	srv.WaitSession(t)
	srv.Dispatch(t, "MESSAGE_CREATE", mention(srv, "6001", ch, "who?"))

	first := srv.WaitRequest(t, discordtest.Send(ch))
	if first.Status != 429 {
		t.Fatalf("first send status %d, want the fake's 429", first.Status)
	}
	replyTo(t, srv, ch, "6001")
	sends := srv.Requests(discordtest.Send(ch))
	if len(sends) != 2 {
		t.Fatalf("%d sends, want 2: the rate-limited one and its retry", len(sends))
	}
	if gap := sends[1].At.Sub(sends[0].At); gap < wait {
		t.Errorf("retried after %v, before retry_after %v", gap, wait)
	}
}

func TestServerErrorsBounded(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	const ch = "400000000000000006"
	srv.OnREST(func(r *discordtest.Request) *discordtest.Response {
		if discordtest.Send(ch)(r) && strings.Contains(string(r.Body), `"message_id":"7001"`) {
			return &discordtest.Response{Status: 503, Body: map[string]any{"message": "unavailable"}}
		}
		return nil
	})
	start(t, srv, newService(&answerer{answer: fixed(quote)}))
	srv.WaitSession(t)
	srv.Dispatch(t, "MESSAGE_CREATE", mention(srv, "7001", ch, "first?"))
	srv.Dispatch(t, "MESSAGE_CREATE", mention(srv, "7002", ch, "second?"))

	// The second question's reply comes after the first gave up.
	replyTo(t, srv, ch, "7002")
	failed := srv.Requests(func(r *discordtest.Request) bool {
		return discordtest.Send(ch)(r) && r.Status == 503
	})
	if len(failed) != 4 {
		t.Errorf("%d attempts at the failing reply, want 4 (1 + 3 retries)", len(failed))
	}
}

func TestResumeAfterDrop(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	start(t, srv, newService(&answerer{answer: fixed(quote)}))
	session := srv.WaitSession(t)

	const ch = "400000000000000007"
	seq := srv.Dispatch(t, "MESSAGE_CREATE", mention(srv, "8001", ch, "before?"))
	replyTo(t, srv, ch, "8001")

	srv.Drop(t)
	srv.Redeliver(t, seq) // Discord may deliver the answered message again
	srv.Dispatch(t, "MESSAGE_CREATE", mention(srv, "8002", ch, "after?"))

	var res discordtest.Resume
	srv.WaitFrame(t, discordtest.OpResume).Decode(t, &res)
	if res.SessionID != session || res.Seq < seq {
		t.Errorf("RESUME %+v, want session %s from seq >= %d", res, session, seq)
	}
	// In channel order, the redelivered 8001 comes before 8002.
	replyTo(t, srv, ch, "8002")
	if n := len(srv.Requests(discordtest.Send(ch))); n != 2 {
		t.Errorf("%d replies, want 2: 8001 answered once, 8002 once", n)
	}
	if n := len(srv.Frames(discordtest.OpIdentify)); n != 1 {
		t.Errorf("%d IDENTIFYs, want 1: the session should be resumed", n)
	}
}

func TestReconnectOp7(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	start(t, srv, newService(&answerer{answer: fixed(quote)}))
	session := srv.WaitSession(t)

	srv.Reconnect(t)
	var res discordtest.Resume
	srv.WaitFrame(t, discordtest.OpResume).Decode(t, &res)
	if res.SessionID != session {
		t.Errorf("resumed session %q, want %q", res.SessionID, session)
	}
	const ch = "400000000000000008"
	srv.Dispatch(t, "MESSAGE_CREATE", mention(srv, "9001", ch, "still there?"))
	replyTo(t, srv, ch, "9001")
}

func TestInvalidSessionOp9(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	start(t, srv, newService(&answerer{answer: fixed(quote)}))
	first := srv.WaitSession(t)

	srv.InvalidateSession(t)
	srv.WaitFrame(t, discordtest.OpIdentify)
	srv.WaitFrame(t, discordtest.OpIdentify) // a new session
	if second := srv.WaitSession(t); second == first {
		t.Fatalf("still on session %s after op 9", first)
	}
	const ch = "400000000000000009"
	srv.Dispatch(t, "MESSAGE_CREATE", mention(srv, "9101", ch, "new session?"))
	replyTo(t, srv, ch, "9101")
}

func TestRejectedToken(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	const bad = "not-the-token-xyz"
	run := startToken(t, srv, bad, newService(&answerer{}))
	err := run.wait(t)
	if !isErr(err, ErrTokenRejected) {
		t.Fatalf("Run = %v, want ErrTokenRejected", err)
	}
	msg := err.Error()
	if strings.Contains(msg, "\n") || !strings.Contains(msg, "4004") || strings.Contains(msg, bad) {
		t.Errorf("error %q: want one line naming close code 4004, without the token", msg)
	}
	if n := srv.Connections(); n != 1 {
		t.Errorf("%d gateway connections, want 1: no reconnecting after 4004", n)
	}
}

func TestTokenRevokedWhileRunning(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	run := start(t, srv, newService(&answerer{}))
	srv.WaitRequest(t, discordtest.OK(discordtest.Commands(srv.AppID, "")))
	srv.RejectToken()
	srv.CloseWith(t, 4004, "Authentication failed.")
	if err := run.wait(t); !isErr(err, ErrTokenRejected) {
		t.Fatalf("Run = %v, want ErrTokenRejected", err)
	}
	if n := srv.Connections(); n != 2 {
		t.Errorf("%d gateway connections, want 2: one resume attempt, then stop", n)
	}
}

func TestDisallowedIntents(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t, discordtest.WithCloseOnIdentify(4014))
	run := start(t, srv, newService(&answerer{}))
	err := run.wait(t)
	if !isErr(err, ErrDisallowedIntents) || !strings.Contains(err.Error(), "4014") {
		t.Fatalf("Run = %v, want ErrDisallowedIntents naming 4014", err)
	}
	if n := srv.Connections(); n != 1 {
		t.Errorf("%d gateway connections, want 1", n)
	}
}

func TestShutdownFinishesRepliesInFlight(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	ans := &answerer{answer: fixed(quote), asked: make(chan string, 1), block: make(chan struct{})}
	run := start(t, srv, newService(ans))
	srv.WaitSession(t)

	const ch = "400000000000000010"
	srv.Dispatch(t, "MESSAGE_CREATE", mention(srv, "10001", ch, "slow one?"))
	<-ans.asked
	run.cancel() // SIGTERM while the answer is being worked on
	close(ans.block)
	if err := run.wait(t); err != nil {
		t.Fatalf("Run = %v, want nil", err)
	}
	reply := srv.Requests(discordtest.OK(discordtest.Send(ch)))
	if len(reply) != 1 {
		t.Fatalf("%d replies sent, want the one in flight", len(reply))
	}
	// The fake records the close frame when it reads it, which need not be
	// before Run returns: wait for it.
	closed := srv.WaitFrame(t, discordtest.OpClientClose)
	if n := len(srv.Frames(discordtest.OpClientClose)); n != 1 || closed.CloseCode != 1000 {
		t.Fatalf("%d client close frames, the first with code %d; want one with code 1000", n, closed.CloseCode)
	}
	if !reply[0].At.Before(closed.At) {
		t.Errorf("gateway closed before the reply in flight was sent")
	}
}

func TestShutdownDoesNotWaitOutRateLimit(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	const ch = "400000000000000011"
	srv.OnREST(func(r *discordtest.Request) *discordtest.Response {
		if discordtest.Send(ch)(r) {
			return discordtest.RateLimited(2*time.Hour, false)
		}
		return nil
	})
	// A grace longer than the test's deadline, shorter than the wait: only
	// giving up the wait lets Run return in time.
	run := start(t, srv, newService(&answerer{answer: fixed(quote)}), WithDrainTimeout(time.Hour),
		WithMaxRetryAfter(3*time.Hour))
	srv.WaitSession(t)
	srv.Dispatch(t, "MESSAGE_CREATE", mention(srv, "11001", ch, "limited?"))
	srv.WaitRequest(t, discordtest.Send(ch))
	if err := run.stop(t); err != nil {
		t.Fatalf("Run = %v, want nil", err)
	}
	if n := len(srv.Requests(discordtest.Send(ch))); n != 1 {
		t.Errorf("%d sends, want 1: the wait was given up, not retried", n)
	}
}

func TestShardInIdentify(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	run := start(t, srv, newService(&answerer{answer: fixed(quote)}), WithShard(1, 2))
	var id discordtest.Identify
	srv.WaitFrame(t, discordtest.OpIdentify).Decode(t, &id)
	if id.Shard == nil || *id.Shard != [2]int{1, 2} {
		t.Errorf("IDENTIFY shard = %v, want [1 2]", id.Shard)
	}
	if id.Intents != 1<<9|1<<12 {
		t.Errorf("IDENTIFY intents = %b, want guild messages (1<<9) and direct messages (1<<12) only", id.Intents)
	}
	const ch = "400000000000000012"
	srv.Dispatch(t, "MESSAGE_CREATE", mention(srv, "12001", ch, "shard?"))
	replyTo(t, srv, ch, "12001")
	if err := run.stop(t); err != nil {
		t.Fatal(err)
	}
	if n := len(srv.Requests(func(r *discordtest.Request) bool { return strings.HasSuffix(r.Path, "/commands") })); n != 0 {
		t.Errorf("shard 1 registered commands %d times; only shard 0 should", n)
	}
}

func TestNew(t *testing.T) {
	svc := newService(&answerer{})
	for _, tc := range []struct {
		name  string
		token string
		opts  []Option
		want  string
	}{
		{"no token", " ", testOptions(), "no bot token"},
		{"shard out of range", "t", append(testOptions(), WithShard(2, 2)), "shard 2 of 2"},
		{"bad api url", "t", append(testOptions(), WithAPIURL("discord.example")), "api url"},
		{"no options", "t", nil, "WithWorkers"},
		{"no workers", "t", append(testOptions(), WithWorkers(0)), "WithWorkers"},
		{"no queue", "t", append(testOptions(), WithQueue(0)), "WithQueue"},
		{"no max retry after", "t", append(testOptions(), WithMaxRetryAfter(0)), "WithMaxRetryAfter"},
	} {
		_, err := New(svc, tc.token, tc.opts...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: New = %v, want an error containing %q", tc.name, err, tc.want)
		}
	}
	a, err := New(svc, "Bot abc", WithWorkers(1), WithQueue(1), WithMaxRetryAfter(time.Second))
	if err != nil || a.Name() != "discord" || a.Ready() {
		t.Errorf("New(\"Bot abc\") = %v, %v; want a discord adapter, not ready before Run", a, err)
	}
}

var _ bot.Adapter = (*Adapter)(nil)
