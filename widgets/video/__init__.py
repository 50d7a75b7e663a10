"""Parts of the video wall (``widgets.video_wall``): tiles and the source list."""
