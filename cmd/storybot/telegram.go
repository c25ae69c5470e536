package main

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/storybot/storybot/bot"
	"github.com/storybot/storybot/bot/telegram"
)

// telegramAdapter returns the Telegram bot when [telegram] enables it,
// configured with every setting, those the file leaves out or at 0 from
// DefaultConfig.
func telegramAdapter(cfg Config, svc *bot.Service, log *slog.Logger) (bot.Adapter, error) {
	t := withDefaults(cfg.Telegram, DefaultConfig().Telegram)
	if !t.Enabled {
		return nil, nil
	}
	if strings.TrimSpace(t.Token) == "" {
		return nil, errors.New("telegram: no bot token: set STORYBOT_TELEGRAM_TOKEN")
	}
	opts := []telegram.Option{
		telegram.WithAPIURL(t.APIURL),
		telegram.WithPollTimeout(t.PollTimeout),
		telegram.WithStateFile(t.StateFile),
		telegram.WithWorkers(t.Workers),
		telegram.WithQueue(t.Queue),
		telegram.WithRequestTimeout(t.RequestTimeout),
		telegram.WithMaxRetries(t.MaxRetries), // negative: none
		telegram.WithMaxRetryAfter(t.MaxRetryAfter),
		telegram.WithDrainTimeout(t.DrainTimeout),
		telegram.WithTypingAfter(t.TypingAfter), // negative: never
		telegram.WithLogger(log),
	}
	switch t.Mode {
	case "polling":
	case "webhook":
		opts = append(opts,
			telegram.WithWebhook(t.WebhookURL, t.WebhookSecret),
			telegram.WithWebhookListen(t.WebhookListen),
			telegram.WithWebhookMaxConnections(t.WebhookMaxConnections))
	default:
		return nil, fmt.Errorf("telegram: mode %q: want polling or webhook", t.Mode)
	}
	a, err := telegram.New(svc, t.Token, opts...)
	if errors.Is(err, telegram.ErrWebhookSecret) {
		return nil, fmt.Errorf("%w: set STORYBOT_TELEGRAM_WEBHOOK_SECRET", err)
	}
	if err != nil {
		return nil, err
	}
	return tokenHint{a, telegram.ErrTokenRejected, "STORYBOT_TELEGRAM_TOKEN"}, nil
}
