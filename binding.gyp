{
  "targets": [
    {
      "target_name": "multiproc",
      "sources": [
        "native/core/barrier.cpp",
        "native/core/condition.cpp",
        "native/core/event.cpp",
        "native/core/lease.cpp",
        "native/core/lock.cpp",
        "native/core/objects.cpp",
        "native/core/segment.cpp",
        "native/core/semaphore.cpp",
        "native/core/wait_service.cpp",
        "native/core/waitable.cpp",
        "native/binding/addon.cpp",
        "native/binding/args.cpp",
        "native/binding/parent_channel_ops.cpp",
        "native/binding/async_ops.cpp",
        "native/binding/errors.cpp",
        "native/binding/process_control.cpp",
        "native/binding/segment_wrap.cpp",
        "native/binding/shared_memory_wrap.cpp",
        "native/binding/sync_ops.cpp",
        "native/binding/waitables.cpp"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NODE_ADDON_API_DISABLE_CPP_EXCEPTIONS",
                  "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-fno-exceptions"],
      "conditions": [
        ["OS=='linux'", {
          "sources": ["native/core/platform_linux.cpp", "native/core/parent_channel_posix.cpp"],
          "libraries": ["-lpthread", "-lrt"]
        }]
      ]
    }
  ]
}
