"""The stack's images: `build` makes the offline ones from Debian packages, `table` says which are
here (`monlab images list`), `archive` carries them between machines as one tar."""
