echo "plugin-cuda: build script pending"
