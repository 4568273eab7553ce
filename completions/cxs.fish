complete --keep-order --exclusive --command cxs --arguments "(COMPLETE=fish cxs -- (commandline --current-process --tokenize --cut-at-cursor) (commandline --current-token))"
