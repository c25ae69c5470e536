package main

import "context"

func cmdAsk(ctx context.Context, args []string, e env) error  { return nil }
func cmdEval(ctx context.Context, args []string, e env) error { return nil }
func cmdSources(args []string, e env) error                   { return nil }
func cmdREPL(ctx context.Context, args []string, e env) error { return nil }
