package discord

import (
	"context"
	"errors"
	"hash/fnv"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/storybot/storybot/bot"
)

// job is one question to answer: a message, or a slash command.
type job struct {
	msg      *discordgo.Message
	question string // for msg: the text with the bot's mention taken out
	in       *discordgo.Interaction
	ack      *ack // for in: who sends the first response (see ack.go)
}

// startWorkers starts the reply workers. Each has its own queue and a
// channel always goes to the same worker, so replies in one channel keep
// the order of the questions.
func (r *run) startWorkers() {
	r.queues = make([]chan job, r.a.workers)
	for i := range r.queues {
		q := make(chan job, max(r.a.queue/r.a.workers, 1))
		r.queues[i] = q
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			for j := range q {
				r.handle(r.work, j)
			}
		}()
	}
}

// enqueue hands j to its channel's worker without blocking the gateway and
// reports whether it did. After shutdown began, or when the queue is full,
// j is dropped.
func (r *run) enqueue(channelID string, j job) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.closed {
		return false
	}
	h := fnv.New32a()
	h.Write([]byte(channelID))
	select {
	case r.queues[h.Sum32()%uint32(len(r.queues))] <- j:
		return true
	default:
		r.log.Warn("discord: reply queue full; question dropped", "channel", channelID)
		r.a.svc.Metrics().PlatformError(platform, "queue_full")
		return false
	}
}

// onMessage takes a MESSAGE_CREATE. It runs on the gateway goroutine.
func (r *run) onMessage(m *discordgo.Message) {
	q, ok := question(m, r.self.Load().(string))
	if !ok {
		return
	}
	if !r.seen.Add("m" + m.ID) {
		r.log.Debug("discord: message delivered again; already answered", "message", m.ID)
		return
	}
	r.enqueue(m.ChannelID, job{msg: m, question: q})
}

// onInteraction takes an INTERACTION_CREATE. It runs on the gateway
// goroutine, so it only queues the command and arms its deferral timer; a
// dropped command gets no timer.
func (r *run) onInteraction(in *discordgo.Interaction) {
	if in.Type != discordgo.InteractionApplicationCommand {
		return
	}
	if !r.seen.Add("i" + in.ID) {
		r.log.Debug("discord: interaction delivered again; already answered", "interaction", in.ID)
		return
	}
	a := newAck()
	if !r.enqueue(in.ChannelID, job{in: in, ack: a}) {
		return
	}
	after := r.a.afterFunc
	if after == nil {
		after = realAfterFunc
	}
	a.arm(after, r.a.deferAfter, func() error { return r.deferResponse(in) })
}

// deferResponse sends the deferred response (type 5) to a slash command
// whose worker is still busy, from the ack's timer, bypassing the queue.
// Like the replies it runs under the work context, and a 429 or 5xx wait
// gives up at shutdown (errStopping).
func (r *run) deferResponse(in *discordgo.Interaction) error {
	err := r.rest.InteractionRespond(in, &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
	}, discordgo.WithContext(r.work))
	if err != nil {
		r.sendFailed("deferred response", err, "interaction", in.ID)
		return err
	}
	// Not an error, but a sign the workers are behind: counted beside
	// queue_full so it can be watched.
	r.log.Info("discord: slash command deferred; its reply worker is busy", "interaction", in.ID)
	r.a.svc.Metrics().PlatformError(platform, "deferred")
	return nil
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

func (r *run) handle(ctx context.Context, j job) {
	if j.msg != nil {
		r.answerMessage(ctx, j.msg, j.question)
		return
	}
	r.answerInteraction(ctx, j.in, j.ack)
}

// answerMessage replies to a message: the first part of the reply as a
// Discord reply to it, any further parts after.
func (r *run) answerMessage(ctx context.Context, m *discordgo.Message, q string) {
	reply := r.a.svc.Ask(platform, platform+":"+m.Author.ID, q)
	no := false
	for i, msg := range replyMessages(r.a.svc, reply) {
		send := &discordgo.MessageSend{Content: msg.Content, Embeds: msg.Embeds, AllowedMentions: noMentions()}
		if i == 0 {
			send.Reference = &discordgo.MessageReference{
				MessageID: m.ID, ChannelID: m.ChannelID, GuildID: m.GuildID, FailIfNotExists: &no,
			}
		}
		if _, err := r.rest.ChannelMessageSendComplex(m.ChannelID, send, discordgo.WithContext(ctx)); err != nil {
			r.failed(err, "message", m.ID)
			return
		}
	}
}

// Slash command names.
const (
	cmdAsk      = "ask"
	cmdSources  = "sources"
	cmdHelp     = "help"
	optQuestion = "question"
)

// answerInteraction responds to a slash command. Answering takes
// milliseconds, but the command may have waited in its worker's queue past
// its ack's timer (see ack.go). If it did not, the answer's first message
// is the response (type 4); if it did, a deferred response has been sent
// and the first message edits it. Parts beyond the first go as follow-ups.
// Flood notices are ephemeral, seen only by the asker, except after a
// deferral, which was sent visible to all.
func (r *run) answerInteraction(ctx context.Context, in *discordgo.Interaction, a *ack) {
	data := in.ApplicationCommandData()
	var (
		msgs      []message
		ephemeral bool
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
			reply.Kind, ephemeral = bot.Limited, true
		}
		msgs = replyMessages(r.a.svc, reply)
	case cmdSources:
		msgs = sourcesMessages(r.a.svc)
	default:
		msgs = helpMessages(r.a.svc)
	}
	var flags discordgo.MessageFlags
	if ephemeral {
		flags = discordgo.MessageFlagsEphemeral
	}
	// msgs is never empty: a slash command always gets a message.
	deferred, err := a.take()
	if err != nil {
		// deferResponse logged why; the interaction cannot be answered.
		r.log.Debug("discord: slash command not answered", "interaction", in.ID, "error", r.describe(err))
		return
	}
	for i, msg := range msgs {
		switch {
		case i == 0 && deferred:
			content, embeds := msg.Content, msg.Embeds
			if embeds == nil {
				embeds = []*discordgo.MessageEmbed{}
			}
			_, err = r.rest.InteractionResponseEdit(in, &discordgo.WebhookEdit{
				Content: &content, Embeds: &embeds, AllowedMentions: noMentions(),
			}, discordgo.WithContext(ctx))
		case i == 0:
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
		{Name: cmdSources, Description: "List the articles I answer from", DMPermission: &dm},
		{Name: cmdHelp, Description: "What I do and how to ask me", DMPermission: &dm},
	}
}
