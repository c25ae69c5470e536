package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/storybot/storybot/bot"
)

// adapterBuilder returns the adapter for one platform, or nil when cfg does
// not enable it. Each platform's file provides one.
type adapterBuilder func(cfg Config, svc *bot.Service, log *slog.Logger) (bot.Adapter, error)

// adapterBuilders lists every platform `storybot run` can start.
var adapterBuilders = []adapterBuilder{telegramAdapter, discordAdapter}

// tokenHint says where the token comes from when the platform rejects it:
// the adapters know the token, storybot where it was set.
type tokenHint struct {
	bot.Adapter
	rejected error  // the adapter's error for a rejected token
	env      string // the variable the token is best set in
}

func (h tokenHint) Run(ctx context.Context) error {
	err := h.Adapter.Run(ctx)
	if errors.Is(err, h.rejected) {
		return fmt.Errorf("%w: check %s", err, h.env)
	}
	return err
}
