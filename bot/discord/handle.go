package discord

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/storybot/storybot/bot"
	"github.com/storybot/storybot/qa"
)

// job is one question to answer: a message, or a slash command.
type job struct {
	msg      *discordgo.Message
	question string // for msg: the text with the bot's mention taken out
	in       *discordgo.Interaction
	ack      *ack // for in: who sends the first response (see ack.go)
	sent     int  // messages of the reply sent so far
}

// startWorkers starts the reply pool, which answers each channel's
// questions in order, and the prompt pool, which sends what cannot wait
// behind them: the busy response of a slash command refused, and the busy
// notice of a channel refused after shutdown began.
func (r *run) startWorkers() {
	onPanic := func(key string, v any) { r.panicked("job", key, v) }
	r.pool = bot.NewPool(bot.PoolConfig{Workers: r.a.workers, Queue: r.a.queue, OnPanic: onPanic})
	r.prompt = bot.NewPool(bot.PoolConfig{Workers: r.a.workers, Queue: r.a.queue, PerKey: 1, OnPanic: onPanic})
}

// onMessage takes a MESSAGE_CREATE. It runs on the gateway goroutine, so
// it only queues the question, keyed by channel; a question refused gets
// its channel a busy notice.
func (r *run) onMessage(m *discordgo.Message) {
	if m == nil {
		r.badEvent("MESSAGE_CREATE without a message")
		return
	}
	q, ok := question(m, r.self.Load().(string))
	if !ok {
		return
	}
	if !r.seen.Add("m" + m.ID) {
		r.log.Debug("discord: message delivered again; already answered", "message", m.ID)
		return
	}
	j := &job{msg: m, question: q}
	if err := r.pool.Submit(m.ChannelID, func() { r.handle(j) }); err != nil {
		r.refuseMessage(m, err)
	}
}

// onInteraction takes an INTERACTION_CREATE. It runs on the gateway
// goroutine, so it only queues the command and arms its deferral timer; a
// command refused gets a busy response at once instead, and no timer.
func (r *run) onInteraction(in *discordgo.Interaction) {
	if in == nil {
		r.badEvent("INTERACTION_CREATE without an interaction")
		return
	}
	if in.Type != discordgo.InteractionApplicationCommand {
		return
	}
	if !r.seen.Add("i" + in.ID) {
		r.log.Debug("discord: interaction delivered again; already answered", "interaction", in.ID)
		return
	}
	a := newAck()
	j := &job{in: in, ack: a}
	if err := r.pool.Submit(in.ChannelID, func() { r.handle(j) }); err != nil {
		r.a.svc.Metrics().PlatformError(platform, "busy")
		r.log.Warn("discord: busy; slash command refused and told to try again",
			"interaction", in.ID, "channel", in.ChannelID, "reason", err)
		r.respondPromptly(in, bot.BusyText)
		return
	}
	after := r.a.afterFunc
	if after == nil {
		after = realAfterFunc
	}
	a.arm(after, r.a.deferAfter, func() error { return r.deferResponse(in) })
}

// refuseMessage tells m's channel that the bot is busy: one notice per
// channel, a reply to the first question refused, covers every question
// refused until it is sent. It goes after the channel's queued replies
// (bot.Pool.Notice), or, once shutdown has begun, through the prompt pool.
func (r *run) refuseMessage(m *discordgo.Message, why error) {
	r.a.svc.Metrics().PlatformError(platform, "busy")
	r.busyMu.Lock()
	defer r.busyMu.Unlock()
	if _, ok := r.busy[m.ChannelID]; ok {
		r.log.Warn("discord: busy; question refused, its channel's busy notice already pending",
			"message", m.ID, "channel", m.ChannelID, "reason", why)
		return
	}
	tell := func() { r.tellBusy(m.ChannelID) }
	var queued bool
	if errors.Is(why, bot.ErrClosed) {
		queued = r.prompt.Submit("m"+m.ChannelID, tell) == nil
	} else {
		queued = r.pool.Notice(m.ChannelID, tell)
	}
	if !queued {
		r.log.Error("discord: busy, and too many channels wait for a busy notice already: question dropped unanswered",
			"message", m.ID, "channel", m.ChannelID)
		r.a.svc.Metrics().PlatformError(platform, "dropped")
		return
	}
	r.busy[m.ChannelID] = m
	r.log.Warn("discord: busy; question refused and its channel told to try again",
		"message", m.ID, "channel", m.ChannelID, "reason", why)
}

// tellBusy sends channel's pending busy notice.
func (r *run) tellBusy(channel string) {
	r.busyMu.Lock()
	m := r.busy[channel]
	delete(r.busy, channel)
	r.busyMu.Unlock()
	if m != nil {
		r.sendMessages(r.work, &job{msg: m}, textMessages(bot.BusyText))
	}
}

// respondPromptly sends text as the ephemeral first response to in from
// the prompt pool, outside the reply queue, so that it goes out within
// Discord's three seconds. A flood that fills the prompt pool too is
// logged and counted; its commands get no response.
func (r *run) respondPromptly(in *discordgo.Interaction, text string) {
	if in.ID == "" || in.Token == "" {
		return // nothing can be sent for it
	}
	err := r.prompt.Submit("i"+in.ID, func() {
		j := &job{in: in, ack: newAck()}
		r.sendInteraction(r.work, j, textMessages(text), discordgo.MessageFlagsEphemeral)
	})
	if err != nil {
		r.log.Error("discord: slash command dropped unanswered; too many wait for a prompt response already",
			"interaction", in.ID, "reason", err)
		r.a.svc.Metrics().PlatformError(platform, "dropped")
	}
}

// deferResponse sends the deferred response (type 5) to a slash command
// whose worker is still busy, from the ack's timer, bypassing the queue.
// Like the replies it runs under the work context, and a 429 or 5xx wait
// that would outlast the shutdown grace is given up (errStopping).
func (r *run) deferResponse(in *discordgo.Interaction) (err error) {
	defer func() {
		if v := recover(); v != nil {
			r.panicked("deferred response", in.ID, v)
			err = fmt.Errorf("deferred response: panic: %v", v)
		}
	}()
	err = r.rest.InteractionRespond(in, &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
	}, discordgo.WithContext(r.work))
	if err != nil {
		r.sendFailed("deferred response", err, "interaction", in.ID)
		return err
	}
	// Not an error, but a sign the workers are behind: counted beside
	// busy so it can be watched.
	r.log.Info("discord: slash command deferred; its reply worker is busy", "interaction", in.ID)
	r.a.svc.Metrics().PlatformError(platform, "deferred")
	return nil
}

// badEvent logs and counts a gateway event that cannot be read.
func (r *run) badEvent(what string) {
	r.log.Warn("discord: gateway event ignored: " + what)
	r.a.svc.Metrics().PlatformError(platform, "bad_event")
}

// recoverEvent, deferred by a gateway event handler, recovers a panic in
// it, and sends a slash command (in, if not nil) the error response.
func (r *run) recoverEvent(event string, in *discordgo.Interaction) {
	if v := recover(); v != nil {
		r.panicked("event", event, v)
		if in != nil {
			r.respondPromptly(in, bot.ErrorText)
		}
	}
}

// panicked logs and counts a panic recovered while handling kind (a
// "message", an "interaction", a gateway "event"...) id.
func (r *run) panicked(kind, id string, v any) {
	r.log.Error("discord: panic recovered", "platform", platform, "kind", kind, "id", id,
		"panic", r.a.redact(fmt.Sprint(v)), "stack", string(debug.Stack()))
	r.a.svc.Metrics().PlatformError(platform, "panic")
}

// question returns the question in m and whether the bot should answer it:
// any message in a DM, a message that mentions the bot in a guild channel,
// never one from a bot (itself included), a webhook or the system.
func question(m *discordgo.Message, self string) (string, bool) {
	switch {
	case self == "" || m.Author == nil:
		return "", false
	case m.Author.ID == self || m.Author.Bot || m.Author.System || m.WebhookID != "":
		return "", false
	case m.Type != discordgo.MessageTypeDefault && m.Type != discordgo.MessageTypeReply:
		return "", false
	}
	if m.GuildID != "" {
		mentioned := false
		for _, u := range m.Mentions {
			if u != nil && u.ID == self {
				mentioned = true
			}
		}
		if !mentioned {
			return "", false
		}
	}
	return strings.NewReplacer("<@"+self+">", " ", "<@!"+self+">", " ").Replace(m.Content), true
}

// handle answers j on a reply worker. A panic is recovered, logged and
// counted, and the user told that something went wrong. After the
// shutdown grace, j is given up without sending anything.
func (r *run) handle(j *job) {
	kind, id := "message", ""
	if j.msg != nil {
		id = j.msg.ID
	} else {
		kind, id = "interaction", j.in.ID
	}
	defer func() {
		if v := recover(); v != nil {
			r.panicked(kind, id, v)
			r.fail(j)
		}
	}()
	if r.work.Err() != nil {
		if j.ack != nil {
			j.ack.take() // stops the deferral timer
		}
		r.log.Warn("discord: question given up at shutdown", kind, id)
		r.a.svc.Metrics().PlatformError(platform, "shutdown")
		return
	}
	if j.msg != nil {
		r.answerMessage(j)
		return
	}
	r.answerInteraction(j)
}

// fail tells j's user that something went wrong, in what remains of the
// reply: a reply to the message, or the slash command's response or a
// follow-up.
func (r *run) fail(j *job) {
	defer func() {
		if v := recover(); v != nil {
			r.panicked("error reply", "", v)
		}
	}()
	msgs := textMessages(bot.ErrorText)
	if j.msg != nil {
		r.sendMessages(r.work, j, msgs)
		return
	}
	r.sendInteraction(r.work, j, msgs, discordgo.MessageFlagsEphemeral)
}

// answerMessage replies to a message.
func (r *run) answerMessage(j *job) {
	reply := r.a.svc.Ask(platform, platform+":"+j.msg.Author.ID, j.question)
	r.sendMessages(r.work, j, replyMessages(r.a.svc, reply))
}

// sendMessages sends msgs, the rest of j's reply to its message: the
// first part of a reply as a Discord reply to the message, any further
// parts after.
func (r *run) sendMessages(ctx context.Context, j *job, msgs []message) {
	m := j.msg
	no := false
	for _, msg := range msgs {
		send := &discordgo.MessageSend{Content: msg.Content, Embeds: msg.Embeds, AllowedMentions: noMentions()}
		if j.sent == 0 {
			send.Reference = &discordgo.MessageReference{
				MessageID: m.ID, ChannelID: m.ChannelID, GuildID: m.GuildID, FailIfNotExists: &no,
			}
		}
		if _, err := r.rest.ChannelMessageSendComplex(m.ChannelID, send, discordgo.WithContext(ctx)); err != nil {
			r.failed(err, "message", m.ID)
			return
		}
		j.sent++
	}
}

// Slash command names.
const (
	cmdAsk      = "ask"
	cmdSummary  = "summary"
	cmdTimeline = "timeline"
	cmdWho      = "who"
	cmdSources  = "sources"
	cmdHelp     = "help"
	optQuestion = "question"
)

// storyCommands are the slash commands that ask for a view of the whole
// story, and the view each asks bot.Service.StoryView for.
var storyCommands = map[string]string{
	cmdSummary:  qa.StorySummary,
	cmdTimeline: qa.StoryTimeline,
	cmdWho:      qa.StoryPeople,
}

// answerInteraction responds to a slash command. Flood notices are
// ephemeral, seen only by the asker, except after a deferral, which was
// sent visible to all. A command whose data discordgo could not decode
// (missing, or a field of an unexpected type) gets an ephemeral error.
func (r *run) answerInteraction(j *job) {
	in := j.in
	data, ok := in.Data.(discordgo.ApplicationCommandInteractionData)
	if !ok {
		r.log.Warn("discord: slash command without readable data; told something went wrong", "interaction", in.ID)
		r.a.svc.Metrics().PlatformError(platform, "bad_event")
		r.sendInteraction(r.work, j, textMessages(bot.ErrorText), discordgo.MessageFlagsEphemeral)
		return
	}
	var (
		msgs  []message
		flags discordgo.MessageFlags
	)
	switch data.Name {
	case cmdAsk:
		q := ""
		for _, o := range data.Options {
			if s, ok := o.Value.(string); ok && o.Name == optQuestion {
				q = s
			}
		}
		reply := r.a.svc.Ask(platform, platform+":"+interactionUser(in), q)
		if reply.Kind == bot.Limited || reply.Kind == bot.Silent {
			// A slash command must get a response; an ephemeral
			// notice keeps a flood out of the channel.
			reply.Kind, flags = bot.Limited, discordgo.MessageFlagsEphemeral
		}
		msgs = replyMessages(r.a.svc, reply)
	case cmdSummary, cmdTimeline, cmdWho:
		reply := r.a.svc.StoryView(platform, platform+":"+interactionUser(in), storyCommands[data.Name])
		if reply.Kind == bot.Limited || reply.Kind == bot.Silent {
			reply.Kind, flags = bot.Limited, discordgo.MessageFlagsEphemeral
		}
		msgs = replyMessages(r.a.svc, reply)
	case cmdSources:
		msgs = sourcesMessages(r.a.svc)
	default:
		msgs = helpMessages(r.a.svc)
	}
	r.sendInteraction(r.work, j, msgs, flags)
}

// sendInteraction sends msgs, the rest of j's reply to its slash command
// (msgs is never empty: a slash command always gets a message). The
// command may have waited in its channel's queue past its ack's timer
// (see ack.go). If it did not, the reply's first message is the response
// (type 4); if it did, a deferred response has been sent and the first
// message edits it. Later messages go as follow-ups, with flags.
func (r *run) sendInteraction(ctx context.Context, j *job, msgs []message, flags discordgo.MessageFlags) {
	in := j.in
	deferred, err := j.ack.take()
	if err != nil {
		// deferResponse logged why; the interaction cannot be answered.
		r.log.Debug("discord: slash command not answered", "interaction", in.ID, "error", r.describe(err))
		return
	}
	for _, msg := range msgs {
		switch {
		case j.sent == 0 && deferred:
			content, embeds := msg.Content, msg.Embeds
			if embeds == nil {
				embeds = []*discordgo.MessageEmbed{}
			}
			_, err = r.rest.InteractionResponseEdit(in, &discordgo.WebhookEdit{
				Content: &content, Embeds: &embeds, AllowedMentions: noMentions(),
			}, discordgo.WithContext(ctx))
		case j.sent == 0:
			err = r.rest.InteractionRespond(in, &discordgo.InteractionResponse{
				Type: discordgo.InteractionResponseChannelMessageWithSource,
				Data: &discordgo.InteractionResponseData{
					Content: msg.Content, Embeds: msg.Embeds, AllowedMentions: noMentions(), Flags: flags,
				},
			}, discordgo.WithContext(ctx))
		default:
			_, err = r.rest.FollowupMessageCreate(in, true, &discordgo.WebhookParams{
				Content: msg.Content, Embeds: msg.Embeds, AllowedMentions: noMentions(), Flags: flags,
			}, discordgo.WithContext(ctx))
		}
		if err != nil {
			r.failed(err, "interaction", in.ID)
			return
		}
		j.sent++
	}
}

func interactionUser(in *discordgo.Interaction) string {
	if in.Member != nil && in.Member.User != nil {
		return in.Member.User.ID
	}
	if in.User != nil {
		return in.User.ID
	}
	return ""
}

// failed logs a reply that could not be sent.
func (r *run) failed(err error, kind, id string) { r.sendFailed("reply", err, kind, id) }

// sendFailed logs a send (what: "reply", "deferred response") that failed,
// and counts it.
func (r *run) sendFailed(what string, err error, kind, id string) {
	msg := "discord: " + what + " failed"
	if errors.Is(err, errStopping) || errors.Is(err, context.Canceled) {
		msg = "discord: " + what + " given up at shutdown"
	}
	r.log.Warn(msg, kind, id, "error", r.describe(err))
	r.a.svc.Metrics().PlatformError(platform, "send")
}

// commands returns the slash commands the bot registers.
func commands(maxQuestion int) []*discordgo.ApplicationCommand {
	dm := true
	minLen := 1
	return []*discordgo.ApplicationCommand{
		{
			Name:         cmdAsk,
			Description:  "Ask about the story; I answer with sentences quoted from the articles",
			DMPermission: &dm,
			Options: []*discordgo.ApplicationCommandOption{{
				Type:        discordgo.ApplicationCommandOptionString,
				Name:        optQuestion,
				Description: "Your question, in plain words",
				Required:    true,
				MinLength:   &minLen,
				MaxLength:   min(maxQuestion, 6000),
			}},
		},
		{Name: cmdSummary, Description: "The story in brief, in sentences quoted from the articles", DMPermission: &dm},
		{Name: cmdTimeline, Description: "What happened when: the dated events, in order", DMPermission: &dm},
		{Name: cmdWho, Description: "Who's who: the people the articles name, with their roles", DMPermission: &dm},
		{Name: cmdSources, Description: "List the articles I answer from", DMPermission: &dm},
		{Name: cmdHelp, Description: "What I do and how to ask me", DMPermission: &dm},
	}
}
