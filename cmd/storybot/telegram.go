package main

import (
	"log/slog"

	"github.com/storybot/storybot/bot"
	"github.com/storybot/storybot/bot/telegram"
)

// telegramAdapter returns the Telegram bot when [telegram] enables it.
func telegramAdapter(cfg Config, svc *bot.Service, log *slog.Logger) (bot.Adapter, error) {
	t := cfg.Telegram
	if !t.Enabled {
		return nil, nil
	}
	a, err := telegram.New(svc, telegram.Config{
		Token:                 t.Token,
		APIURL:                t.APIURL,
		Mode:                  t.Mode,
		PollTimeout:           t.PollTimeout,
		WebhookListen:         t.WebhookListen,
		WebhookURL:            t.WebhookURL,
		WebhookSecret:         t.WebhookSecret,
		WebhookMaxConnections: t.WebhookMaxConnections,
		StateFile:             t.StateFile,
		Workers:               t.Workers,
		Queue:                 t.Queue,
		RequestTimeout:        t.RequestTimeout,
		MaxRetries:            t.MaxRetries,
		MaxRetryAfter:         t.MaxRetryAfter,
		DrainTimeout:          t.DrainTimeout,
		TypingAfter:           t.TypingAfter,
	}, log)
	if err != nil {
		return nil, err
	}
	return a, nil
}
