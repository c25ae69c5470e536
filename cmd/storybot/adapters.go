package main

import (
	"log/slog"

	"github.com/storybot/storybot/bot"
)

// adapterBuilder returns the adapter for one platform, or nil when cfg does
// not enable it. Each platform's file provides one.
type adapterBuilder func(cfg Config, svc *bot.Service, log *slog.Logger) (bot.Adapter, error)

// adapterBuilders lists every platform `storybot run` can start.
var adapterBuilders = []adapterBuilder{telegramAdapter, discordAdapter}
