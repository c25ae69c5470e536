package main

import (
	"log/slog"

	"github.com/storybot/storybot/bot"
)

// discordAdapter: TODO (Discord issue).
func discordAdapter(cfg Config, svc *bot.Service, log *slog.Logger) (bot.Adapter, error) {
	return nil, nil
}
