package main

import (
	"log/slog"
	"testing"

	"github.com/storybot/storybot/bot"
)

// builderArgs returns what an adapterBuilder is given besides the config.
func builderArgs(t *testing.T) (*bot.Service, *slog.Logger) {
	t.Helper()
	ix, err := loadIndex("", nil)
	if err != nil {
		t.Fatal(err)
	}
	return bot.NewService(ix, bot.Config{}, nil), slog.New(slog.DiscardHandler)
}

// TestAdapterBuilders: each platform is built only when its section
// enables it, and only with a token, the error saying where to set it.
func TestAdapterBuilders(t *testing.T) {
	svc, log := builderArgs(t)
	for _, tc := range []struct {
		name    string
		build   adapterBuilder
		enable  func(*Config)
		noToken string
	}{
		{"telegram", telegramAdapter, func(c *Config) { c.Telegram.Enabled = true }, "telegram: no bot token: set STORYBOT_TELEGRAM_TOKEN"},
		{"discord", discordAdapter, func(c *Config) { c.Discord.Enabled = true }, "discord: no bot token: set STORYBOT_DISCORD_TOKEN"},
	} {
		cfg := DefaultConfig()
		if a, err := tc.build(cfg, svc, log); a != nil || err != nil {
			t.Errorf("%s disabled: got %v, %v; want no adapter", tc.name, a, err)
		}
		tc.enable(&cfg)
		if _, err := tc.build(cfg, svc, log); err == nil || err.Error() != tc.noToken {
			t.Errorf("%s without a token: err = %v, want %q", tc.name, err, tc.noToken)
		}
	}
}
