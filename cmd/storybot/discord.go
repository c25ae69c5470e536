package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/storybot/storybot/bot"
	"github.com/storybot/storybot/bot/discord"
)

// discordAdapter returns the Discord bot when [discord] enables it.
func discordAdapter(cfg Config, svc *bot.Service, log *slog.Logger) (bot.Adapter, error) {
	d := cfg.Discord
	if !d.Enabled {
		return nil, nil
	}
	if strings.TrimSpace(d.Token) == "" {
		return nil, errors.New("discord: no bot token: set STORYBOT_DISCORD_TOKEN")
	}
	a, err := discord.New(d.Token, svc,
		discord.WithAPIURL(d.APIURL),
		discord.WithGuilds(d.GuildIDs...),
		discord.WithShard(d.ShardID, d.ShardCount),
		discord.WithWorkers(d.Workers),
		discord.WithQueue(d.Queue),
		discord.WithMaxRetryAfter(d.MaxRetryAfter),
		discord.WithShutdownGrace(d.DrainTimeout),
		discord.WithLogger(log),
	)
	if err != nil {
		return nil, err
	}
	return discordBot{a}, nil
}

// discordBot says where the token comes from when Discord rejects it.
type discordBot struct{ *discord.Adapter }

func (b discordBot) Run(ctx context.Context) error {
	err := b.Adapter.Run(ctx)
	if errors.Is(err, discord.ErrTokenRejected) {
		return fmt.Errorf("%w: check STORYBOT_DISCORD_TOKEN", err)
	}
	return err
}
