package main

import (
	"log/slog"

	"github.com/storybot/storybot/bot"
)

// telegramAdapter: TODO (Telegram issue).
func telegramAdapter(cfg Config, svc *bot.Service, log *slog.Logger) (bot.Adapter, error) {
	return nil, nil
}
