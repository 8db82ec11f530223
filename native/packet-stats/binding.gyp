{
  # The packet socket counters exist on Linux only: elsewhere there is no target, node-gyp builds nothing and
  # kernel-stats.ts reports "not available".
  'targets': [],
  'conditions': [
    ['OS=="linux"', {
      'targets': [
        {
          'target_name': 'packet_stats',
          'sources': ['packet_stats.c'],
          'cflags': ['-std=gnu11', '-Wall', '-Wextra', '-O2'],
        },
      ],
    }],
  ],
}
