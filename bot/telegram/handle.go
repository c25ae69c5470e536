package telegram

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/storybot/storybot/bot"
	"github.com/storybot/storybot/qa"
)

// action is what a message asks of the bot.
type action int

const (
	ignore  action = iota // not for the bot
	help                  // /start, /help
	sources               // /sources
	ask                   // a question
	story                 // /summary, /timeline, /who: a view of the whole story
)

// storyCommands are the commands that ask for a view of the whole story,
// and the view each asks bot.Service.StoryView for.
var storyCommands = map[string]string{
	"summary":  qa.StorySummary,
	"timeline": qa.StoryTimeline,
	"who":      qa.StoryPeople,
}

// handle answers one update. A panic is recovered, logged and counted, and
// the message gets a short "something went wrong": the update counts as
// done, and the bot goes on with the next.
func (a *Adapter) handle(u *models.Update) {
	defer func() {
		if r := recover(); r != nil {
			a.metrics.PlatformError(platform, "panic")
			a.log.Error("telegram: panic while handling an update; going on",
				"update_id", u.ID, "panic", a.scrub(fmt.Sprint(r)), "stack", string(debug.Stack()))
			if u.Message != nil {
				a.send(a.hard, u.ID, u.Message, []string{bot.ErrorText}, "")
			}
		}
	}()
	switch {
	case u.Message != nil:
		a.onMessage(u.ID, u.Message)
	case u.InlineQuery != nil:
		a.onInline(u.ID, u.InlineQuery)
	}
}

// onMessage answers a message in a private chat or a group.
func (a *Adapter) onMessage(id int64, m *models.Message) {
	ctx := a.hard
	act, q := a.route(m)
	switch act {
	case ignore:
		a.log.Debug("telegram: message ignored", "update_id", id, "chat_type", m.Chat.Type)
		return
	case help:
		a.send(ctx, id, m, []string{renderHelp(a.svc.About(), a.me.Username)}, models.ParseModeHTML)
		return
	case sources:
		a.send(ctx, id, m, renderSources(a.svc.Sources(), MaxMessage), models.ParseModeHTML)
		return
	}
	start := time.Now()
	stop := a.typing(ctx, m)
	var r bot.Reply
	if act == story {
		r = a.svc.StoryView(platform, userKey(m), q)
	} else {
		r = a.svc.Ask(platform, userKey(m), q)
	}
	stop()
	a.log.Debug("telegram: question", "update_id", id, "chat_type", m.Chat.Type,
		"outcome", r.Kind.String(), "story", r.Story, "took", time.Since(start).String())
	if texts, mode := renderReply(a.svc, r, MaxMessage); len(texts) > 0 {
		a.send(ctx, id, m, texts, mode)
	}
}

// route decides what m asks for and, for a question, returns its text
// without the command or the bot's @mention; for a view of the story, the
// view.
func (a *Adapter) route(m *models.Message) (action, string) {
	if m.From == nil || (m.From.IsBot && m.SenderChat == nil) {
		return ignore, ""
	}
	if m.ViaBot != nil && m.ViaBot.ID == a.me.ID {
		return ignore, "" // one of our own inline answers, posted by a user
	}
	text, ents := m.Text, m.Entities
	if text == "" {
		text, ents = m.Caption, m.CaptionEntities
	}
	private := m.Chat.Type == models.ChatTypePrivate
	if !private && m.Chat.Type != models.ChatTypeGroup && m.Chat.Type != models.ChatTypeSupergroup {
		return ignore, ""
	}
	if cmd, target, rest, ok := command(text, ents); ok {
		if target != "" && !strings.EqualFold(target, a.me.Username) {
			return ignore, "" // /cmd@otherbot
		}
		switch strings.ToLower(cmd) {
		case "start", "help":
			return help, ""
		case "sources":
			return sources, ""
		case "ask":
			return ask, a.stripMentions(rest, nil)
		}
		if view, ok := storyCommands[strings.ToLower(cmd)]; ok {
			return story, view
		}
		if private {
			return help, ""
		}
		return ignore, ""
	}
	if private {
		return ask, text
	}
	if r := m.ReplyToMessage; r != nil && r.From != nil && r.From.ID == a.me.ID {
		return ask, a.stripMentions(text, ents)
	}
	if a.mentioned(text, ents) {
		return ask, a.stripMentions(text, ents)
	}
	return ignore, ""
}

// command returns the command at the start of text ("/ask@bot rest" gives
// "ask", "bot", "rest"). Telegram marks it with a bot_command entity.
func command(text string, ents []models.MessageEntity) (cmd, target, rest string, ok bool) {
	for _, e := range ents {
		if e.Type != models.MessageEntityTypeBotCommand || e.Offset != 0 {
			continue
		}
		_, word, after := cut16(text, e.Offset, e.Length)
		word = strings.TrimPrefix(word, "/")
		cmd, target, _ = strings.Cut(word, "@")
		return cmd, target, strings.TrimSpace(after), true
	}
	return "", "", "", false
}

// mentioned reports whether text @mentions the bot.
func (a *Adapter) mentioned(text string, ents []models.MessageEntity) bool {
	for _, e := range ents {
		if e.Type == models.MessageEntityTypeMention {
			_, word, _ := cut16(text, e.Offset, e.Length)
			if strings.EqualFold(word, "@"+a.me.Username) {
				return true
			}
		}
	}
	return false
}

// stripMentions removes @mentions of the bot from text: those marked by
// ents, or with ents nil, any "@username" word.
func (a *Adapter) stripMentions(text string, ents []models.MessageEntity) string {
	at := "@" + a.me.Username
	if ents == nil {
		words := strings.Fields(text)
		kept := words[:0]
		for _, w := range words {
			if !strings.EqualFold(strings.TrimRight(w, ",:;.!?"), at) {
				kept = append(kept, w)
			}
		}
		return strings.Join(kept, " ")
	}
	// Cut from the end so earlier offsets stay valid.
	for i := len(ents) - 1; i >= 0; i-- {
		e := ents[i]
		if e.Type != models.MessageEntityTypeMention {
			continue
		}
		before, word, after := cut16(text, e.Offset, e.Length)
		if strings.EqualFold(word, at) {
			text = before + " " + strings.TrimLeft(after, ",:;")
		}
	}
	return strings.Join(strings.Fields(text), " ")
}

// cut16 splits s around the n UTF-16 code units at offset off, the unit
// Telegram's entities count in.
func cut16(s string, off, n int) (before, mid, after string) {
	u := utf16.Encode([]rune(s))
	off = max(0, min(off, len(u)))
	end := max(off, min(off+n, len(u)))
	return string(utf16.Decode(u[:off])), string(utf16.Decode(u[off:end])), string(utf16.Decode(u[end:]))
}

// userKey names the asker for flood control.
func userKey(m *models.Message) string {
	if m.SenderChat != nil {
		return "telegram:chat:" + strconv.FormatInt(m.SenderChat.ID, 10)
	}
	return "telegram:" + strconv.FormatInt(m.From.ID, 10)
}

// send replies to m with texts, in order, stopping at the first failure.
func (a *Adapter) send(ctx context.Context, id int64, m *models.Message, texts []string, mode models.ParseMode) {
	for i, text := range texts {
		p := &tg.SendMessageParams{
			ChatID:             m.Chat.ID,
			Text:               text,
			ParseMode:          mode,
			LinkPreviewOptions: &models.LinkPreviewOptions{IsDisabled: tg.True()},
			ReplyParameters:    &models.ReplyParameters{MessageID: m.ID, AllowSendingWithoutReply: true},
		}
		if m.IsTopicMessage {
			p.MessageThreadID = m.MessageThreadID
		}
		_, err := a.tg.SendMessage(ctx, p)
		if errors.Is(err, errUnreadable) {
			continue // sent: apiClient logged the garbled answer
		}
		if err != nil {
			a.apiFailed("sendMessage", err, "update_id", id, "chat_id", m.Chat.ID, "part", i+1, "parts", len(texts))
			return
		}
	}
}

// typing shows "typing…" in m's chat if answering takes longer than
// TypingAfter, and again every few seconds while it goes on. The returned
// stop ends it and returns once no chat action is in flight.
func (a *Adapter) typing(ctx context.Context, m *models.Message) (stop func()) {
	if a.cfg.TypingAfter <= 0 {
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		wait := a.cfg.TypingAfter
		for {
			if bot.Sleep(ctx, wait) != nil {
				return
			}
			p := &tg.SendChatActionParams{ChatID: m.Chat.ID, Action: models.ChatActionTyping}
			if m.IsTopicMessage {
				p.MessageThreadID = m.MessageThreadID
			}
			if _, err := a.tg.SendChatAction(ctx, p); err != nil && ctx.Err() == nil {
				a.log.Debug("telegram: sendChatAction failed", "error", a.scrubErr(err))
			}
			wait = 4 * time.Second // the action shows for 5 s
		}
	}()
	return func() {
		cancel()
		<-finished
	}
}

// onInline offers the top answers to an inline query as results. Clients
// send a query as the user types, so it is a lookup: no flood control, no
// follow-up subject.
func (a *Adapter) onInline(id int64, q *models.InlineQuery) {
	ctx := a.hard
	r := a.svc.Lookup(platform, q.Query)
	results := []models.InlineQueryResult{}
	if r.Kind == bot.Answered {
		for i, ans := range r.Answers {
			results = append(results, &models.InlineQueryResultArticle{
				ID:          strconv.Itoa(i + 1),
				Title:       truncate(ans.Source.String(), 100),
				Description: truncate(ans.Text, 200),
				InputMessageContent: &models.InputTextMessageContent{
					MessageText:        inlineAnswer(ans),
					ParseMode:          models.ParseModeHTML,
					LinkPreviewOptions: &models.LinkPreviewOptions{IsDisabled: tg.True()},
				},
			})
		}
	}
	_, err := a.tg.AnswerInlineQuery(ctx, &tg.AnswerInlineQueryParams{
		InlineQueryID: q.ID,
		Results:       results,
		CacheTime:     60,
	})
	if err != nil {
		a.apiFailed("answerInlineQuery", err, "update_id", id)
	}
}
