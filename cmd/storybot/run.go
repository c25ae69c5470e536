package main

import (
	"context"
	"errors"
)

// cmdRun: TODO (Telegram issue).
func cmdRun(ctx context.Context, args []string, e env) error {
	return errors.New("run: not implemented yet")
}
