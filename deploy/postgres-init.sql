-- Rasa's trackers in their own database beside the hub's (deploy/endpoints.cluster.yml).
CREATE DATABASE rasa OWNER nav;
