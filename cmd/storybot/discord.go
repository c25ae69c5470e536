package main

import (
	"errors"
	"log/slog"
	"strings"

	"github.com/storybot/storybot/bot"
	"github.com/storybot/storybot/bot/discord"
)

// discordAdapter returns the Discord bot when [discord] enables it,
// configured with every setting, those the file leaves out or at 0 from
// DefaultConfig.
func discordAdapter(cfg Config, svc *bot.Service, log *slog.Logger) (bot.Adapter, error) {
	d := withDefaults(cfg.Discord, DefaultConfig().Discord)
	if !d.Enabled {
		return nil, nil
	}
	if strings.TrimSpace(d.Token) == "" {
		return nil, errors.New("discord: no bot token: set STORYBOT_DISCORD_TOKEN")
	}
	a, err := discord.New(svc, d.Token,
		discord.WithAPIURL(d.APIURL),
		discord.WithGuilds(d.GuildIDs...),
		discord.WithShard(d.ShardID, d.ShardCount),
		discord.WithWorkers(d.Workers),
		discord.WithQueue(d.Queue),
		discord.WithMaxRetryAfter(d.MaxRetryAfter),
		discord.WithDrainTimeout(d.DrainTimeout),
		discord.WithLogger(log),
	)
	if err != nil {
		return nil, err
	}
	return tokenHint{a, discord.ErrTokenRejected, "STORYBOT_DISCORD_TOKEN"}, nil
}
